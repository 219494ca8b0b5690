#!/usr/bin/env python3
# write-scatter-fixtures.py — writes the scatter files in tests/data/scatter/
#
# Copyright 2026 The Scatterflash authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The fixtures are checked in; this script is how they were made, so that a
# change to one layout is one edit here instead of renumbering a file by
# hand. Boards, projects and sizes are made up; the shapes (key order,
# banners, indentation, line ends, end-relative 0xFFFFnnnn addresses) are
# those of the real formats (docs/scatter-format.md on our
# machines). The tests check line numbers and values of these files: after
# running this, run `meson test scatter firmware plan cli sparse backup`.
#
#   python3 tests/data/write-scatter-fixtures.py

import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "scatter")
BAD = os.path.join(OUT, "bad")

BANNER = "#" * 108
NOTICE = [
    "# Scatterflash test fixture, written for the test suite: the board, project",
    "# and sizes are made up (tests/data/README.md). SPDX-License-Identifier: GPL-3.0-or-later",
]


def banner(title, trailing=""):
    return [BANNER, "#", "#  " + title + trailing, "#" + trailing, BANNER]


class Part:
    def __init__(self, name, size, op, file=None, dl=None, type_=None, region=None,
                 start=None, reserved=False, extra=None):
        self.name = name
        self.size = size
        self.op = op
        self.file = file
        self.dl = (file is not None) if dl is None else dl
        self.type = type_
        self.region = region
        self.start = start
        self.reserved = reserved
        self.extra = extra or []


def place(parts, user_base, block, boot_region, user_region="EMMC_USER"):
    """Addresses in file order: bootloaders at 0 of their boot region, the
    rest one after the other from @user_base, reserved ones counted from the
    end in blocks (floor of the bytes from their start to the end)."""
    addr = user_base
    tail = [p for p in parts if p.reserved and p.start is None]
    for p in parts:
        if p.region is None:
            p.region = boot_region if p.op == "BOOTLOADERS" else user_region
        if p.start is not None:
            continue
        if p.op == "BOOTLOADERS" and p.region != user_region:
            p.start = 0
        elif not p.reserved:
            p.start = addr
            addr += p.size
    below = 0
    for p in reversed(tail):
        below += p.size
        p.start = 0xFFFF0000 | (below // block)


def entry(p, index, hexf, indent, phys, storage, reserve, extra_keys):
    i = indent
    lines = [
        i[:-2] + "- partition_index: SYS%d" % index,
        i + "partition_name: " + p.name,
        i + "file_name: " + (p.file or "NONE"),
        i + "is_download: " + ("true" if p.dl else "false"),
        i + "type: " + p.type,
        i + "linear_start_addr: " + hexf(p.start),
        i + "physical_start_addr: " + hexf(phys(p)),
        i + "partition_size: " + hexf(p.size),
        i + "region: " + p.region,
        i + "storage: " + storage,
        i + "boundary_check: " + ("false" if p.reserved else "true"),
        i + "is_reserved: " + ("true" if p.reserved else "false"),
        i + "operation_type: " + p.op,
    ]
    for k, v in extra_keys(p) + p.extra:
        lines.append(i + k + ": " + v)
    lines.append(i + "reserve: " + reserve)
    lines.append("")
    return lines


def lower(v):
    return "0x%x" % v


def upper(v):
    return "0x%X" % v


def write(name, lines, crlf=False, tail_blanks=0, folder=OUT):
    os.makedirs(folder, exist_ok=True)
    eol = "\r\n" if crlf else "\n"
    text = eol.join(lines) + eol + eol * tail_blanks
    with open(os.path.join(folder, name), "w", newline="") as f:
        f.write(text)


def v1_header(version, platform, project, storage="EMMC", boot_channel="MSDC_0", block="0x20000",
              trailing="", more=(), style="stock"):
    if style == "stock":
        lines = ["- general: MTK_PLATFORM_CFG", "  info:" + trailing,
                 "    - config_version: " + version,
                 "      platform: " + platform,
                 "      project: " + project,
                 "      storage: " + storage]
        if boot_channel:
            lines.append("      boot_channel: " + boot_channel)
        lines.append("      block_size: " + block)
        lines += ["      %s: %s" % kv for kv in more]
    else:   # a tool's: "- " at 2, keys at 4, no boot_channel
        lines = ["- general: MTK_PLATFORM_CFG", "  info:",
                 "  - config_version: " + version,
                 "    platform: " + platform,
                 "    project: " + project,
                 "    storage: " + storage,
                 "    block_size: " + block]
    return lines


def no_extra(p):
    return []


def upgradable(p):
    return [("is_upgradable", "true" if p.dl or p.op == "UPDATE" else "false"),
            ("empty_boot_needed", "false")]


# ---- MT6572, V1.1.1, as ptgen writes it ------------------------------------------

def mt6572_parts(preloader, boot_area, variant):
    y = "YAFFS_IMG"
    parts = [
        Part("PRELOADER", boot_area, "BOOTLOADERS", preloader, type_="SV5_BL_BIN"),
        Part("MBR", 0x80000, "UPDATE", "MBR", type_="NORMAL_ROM"),
        Part("EBR1", 0x80000, "UPDATE", "EBR1", type_="NORMAL_ROM"),
        Part("PRO_INFO", 0x300000, "PROTECTED", type_="NONE"),
        Part("NVRAM", 0x500000, "BINREGION", type_="NONE"),
        Part("PROTECT_F", 0xa00000, "PROTECTED", type_="NONE"),
        Part("PROTECT_S", 0xa00000, "PROTECTED", type_="NONE"),
        Part("SECCFG", 0x20000, "INVISIBLE", type_="NONE"),
        Part("UBOOT", 0x60000, "UPDATE", "lk.bin", type_="NORMAL_ROM"),
    ]
    if variant == "a":
        parts += [
            Part("BOOTIMG", 0x800000, "UPDATE", "boot.img", type_="NORMAL_ROM"),
            Part("RECOVERY", 0x800000, "UPDATE", "recovery.img", type_="NORMAL_ROM"),
            Part("SEC_RO", 0x60000, "UPDATE", "secro.img", type_="NORMAL_ROM"),
            Part("MISC", 0x80000, "INVISIBLE", type_="NONE"),
            Part("LOGO", 0x400000, "UPDATE", "logo.bin", type_="NORMAL_ROM"),
            Part("EXPDB", 0xa00000, "INVISIBLE", type_="NONE"),
            Part("ANDROID", 0x30000000, "UPDATE", "system.img", type_=y),
            Part("CACHE", 0x10000000, "UPDATE", "cache.img", type_=y),
            Part("USRDATA", 0x48000000, "UPDATE", "userdata.img", type_=y),
            Part("FAT", 0, "INVISIBLE", type_=y),
            Part("BMTPOOL", 0x1000000, "RESERVED", type_="NONE", reserved=True),
        ]
    else:
        # A second board: a bigger boot area, a PRELOAD partition that is
        # downloaded yet names no file, no FAT, userdata as data.img.
        parts += [
            Part("BOOTIMG", 0xa00000, "UPDATE", "boot.img", type_="NORMAL_ROM"),
            Part("RECOVERY", 0xa00000, "UPDATE", "recovery.img", type_="NORMAL_ROM"),
            Part("SEC_RO", 0x40000, "UPDATE", "secro.img", type_="NORMAL_ROM"),
            Part("MISC", 0x80000, "INVISIBLE", type_="NONE"),
            Part("LOGO", 0x300000, "UPDATE", "logo.bin", type_="NORMAL_ROM"),
            Part("EXPDB", 0xa00000, "INVISIBLE", type_="NONE"),
            Part("PRELOAD", 0x8000000, "UPDATE", None, dl=True, type_=y),
            Part("ANDROID", 0x2c000000, "UPDATE", "system.img", type_=y),
            Part("CACHE", 0x8000000, "UPDATE", "cache.img", type_=y),
            Part("USRDATA", 0x78000000, "UPDATE", "data.img", type_=y),
            Part("BMTPOOL", 0x1500000, "RESERVED", type_="NONE", reserved=True),
        ]
    place(parts, boot_area, 0x20000, "EMMC_BOOT_1")
    return parts


def mt6572_a():
    parts = mt6572_parts("preloader_hx72_a40_emmc.bin", 0xc00000, "a")

    def hexf(v):
        # ptgen prints the reserved tail in upper case, the rest in lower.
        return "0x%X" % v if v >> 16 == 0xFFFF else "0x%x" % v

    lines = list(NOTICE)
    lines += banner("General Setting", " ")
    lines += v1_header("V1.1.1", "MT6572", "hx72_a40_emmc", trailing=" ")
    lines += banner("Layout Setting")
    for i, p in enumerate(parts):
        lines += entry(p, i, hexf, "  ", lambda p: 0, "HW_STORAGE_EMMC", "0x00", no_extra)
    write("mt6572-v1.1.1-emmc.txt", lines[:-1])


def mt6572_filler():
    # A tool-generated file (issue 18): an empty, reserved, not-downloaded
    # entry at 0x0 after the end-relative BMTPOOL, which SP Flash Tool skips.
    # Seen in smichalowski/accu-check_solo_scatter, MT6572_Android_scatter.txt.
    parts = mt6572_parts("preloader_hx72_a40_emmc.bin", 0xc00000, "a")
    parts.append(Part("", 0, "RESERVED", type_="NORMAL_ROM", start=0, reserved=True, dl=False))
    place(parts, 0xc00000, 0x20000, "EMMC_BOOT_1")
    lines = ["# Scatterflash test fixture: a tool-generated MT6572 file with a filler entry at its end.",
             "# Made up for the tests (tests/data/README.md). SPDX-License-Identifier: GPL-3.0-or-later"]
    lines += banner("General Setting")
    lines += v1_header("V1.1.1", "MT6572", "hx72_a40_emmc")
    lines += banner("Layout Setting")
    for i, p in enumerate(parts):
        lines += entry(p, i, lower, "  ", lambda p: 0, "HW_STORAGE_EMMC", "0x00", no_extra)
    write("mt6572-v1.1.1-emmc-tool-filler.txt", lines[:-1])


def mt6572_b():
    parts = mt6572_parts("preloader_sf72_b2.bin", 0x1000000, "b")
    lines = ["# Scatterflash test fixture: a second MT6572 board with a 16 MiB boot area.",
             "# Made up for the tests (tests/data/README.md). SPDX-License-Identifier: GPL-3.0-or-later"]
    lines += banner("General Setting")
    lines += v1_header("V1.1.1", "MT6572", "sf72_b2")
    lines += banner("Layout Setting")
    for i, p in enumerate(parts):
        lines += entry(p, i, upper, "  ", lambda p: 0, "HW_STORAGE_EMMC", "0x00", no_extra)
    # Ends with three newlines, as some generators leave it.
    write("mt6572-v1.1.1-emmc-16m-boot-upper-hex.txt", lines[:-1], tail_blanks=2)


# ---- MT6582, V1.1.1, with a vendor's own partitions -------------------------------

def mt6582():
    y = "YAFFS_IMG"
    parts = [
        Part("PRELOADER", 0xc00000, "BOOTLOADERS", "preloader_sf82_v3.bin", type_="SV5_BL_BIN"),
        Part("MBR", 0x80000, "UPDATE", "MBR", type_="NORMAL_ROM"),
        Part("EBR1", 0x80000, "UPDATE", "EBR1", type_="NORMAL_ROM"),
        Part("PRO_INFO", 0x300000, "PROTECTED", type_="NONE"),
        Part("NVRAM", 0x500000, "BINREGION", type_="NONE"),
        Part("PROTECT_F", 0xa00000, "PROTECTED", type_="NONE"),
        Part("PROTECT_S", 0xa00000, "PROTECTED", type_="NONE"),
        Part("SECCFG", 0x20000, "INVISIBLE", type_="NONE"),
        Part("UBOOT", 0x60000, "UPDATE", "lk.bin", type_="NORMAL_ROM"),
        Part("BOOTIMG", 0xa00000, "UPDATE", "boot.img", type_="NORMAL_ROM"),
        Part("RECOVERY", 0xa00000, "UPDATE", "recovery.img", type_="NORMAL_ROM"),
        Part("SEC_RO", 0x600000, "UPDATE", "secro.img", type_="NORMAL_ROM"),
        Part("MISC", 0x80000, "INVISIBLE", type_="NONE"),
        Part("LOGO", 0x800000, "UPDATE", "logo.bin", type_="NORMAL_ROM"),
        Part("EBR2", 0x80000, "UPDATE", "EBR2", type_="NORMAL_ROM"),
        Part("EXPDB", 0xa00000, "INVISIBLE", type_="NONE"),
        Part("VENDOR_CFG", 0x400000, "INVISIBLE", type_="NONE"),
        Part("FRP", 0x100000, "PROTECTED", type_="NONE"),
        Part("RSV_A", 0x200000, "INVISIBLE", type_="NONE"),
        Part("RSV_B", 0x200000, "INVISIBLE", type_="NONE"),
        Part("ANDROID", 0x50000000, "UPDATE", "system.img", type_=y),
        Part("CACHE", 0x10000000, "UPDATE", "cache.img", type_=y),
        Part("EBR3", 0x80000, "UPDATE", "EBR3", type_="NORMAL_ROM"),
        Part("USRDATA", 0x80000000, "UPDATE", "userdata.img", type_=y),
        Part("FAT", 0, "INVISIBLE", type_=y),
        Part("BMTPOOL", 0x1500000, "RESERVED", type_="NONE", reserved=True),
    ]
    place(parts, 0xc00000, 0x20000, "EMMC_BOOT_1")
    lines = list(NOTICE)
    lines += banner("General Setting")
    lines += v1_header("V1.1.1", "MT6582", "sf82_v3")
    lines += banner("Layout Setting")
    for i, p in enumerate(parts):
        lines += entry(p, i, lower, "  ", lambda p: 0, "HW_STORAGE_EMMC", "0x00", no_extra)
    write("mt6582-v1.1.1-emmc-vendor-partitions.txt", lines[:-1])


# ---- V1.1.2, GPT era ----------------------------------------------------------------

def gpt_common(preloader, boot_size, system, cache, userdata, ext="EXT4_IMG", extra_invisible=()):
    parts = [
        Part("preloader", boot_size, "BOOTLOADERS", preloader, type_="SV5_BL_BIN"),
        Part("pgpt", 0x80000, "INVISIBLE", type_="NORMAL_ROM"),
        Part("proinfo", 0x300000, "PROTECTED", type_="NORMAL_ROM"),
        Part("nvram", 0x500000, "BINREGION", type_="NORMAL_ROM"),
        Part("protect1", 0xa00000, "PROTECTED", type_=ext),
        Part("protect2", 0xa00000, "PROTECTED", type_=ext),
        Part("lk", 0x80000, "UPDATE", "lk.bin", type_="NORMAL_ROM"),
        Part("para", 0x80000, "INVISIBLE", type_="NORMAL_ROM"),
        Part("boot", 0x1000000, "UPDATE", "boot.img", type_="NORMAL_ROM"),
        Part("recovery", 0x1000000, "UPDATE", "recovery.img", type_="NORMAL_ROM"),
        Part("logo", 0x800000, "UPDATE", "logo.bin", type_="NORMAL_ROM"),
        Part("expdb", 0xa00000, "INVISIBLE", type_="NORMAL_ROM"),
        Part("seccfg", 0x80000, "INVISIBLE", type_="NORMAL_ROM"),
        Part("oemkeystore", 0x200000, "INVISIBLE", type_="NORMAL_ROM"),
        Part("secro", 0x600000, "UPDATE", "secro.img", type_="NORMAL_ROM"),
        Part("keystore", 0x800000, "INVISIBLE", type_="NORMAL_ROM"),
    ]
    parts += [Part(n, s, "INVISIBLE", type_="NORMAL_ROM") for n, s in extra_invisible]
    parts += [
        Part("frp", 0x100000, "PROTECTED", type_="NORMAL_ROM"),
        Part("nvdata", 0x2000000, "INVISIBLE", type_=ext),
        Part("metadata", 0x2000000, "INVISIBLE", type_=ext),
        Part("system", system, "UPDATE", "system.img", type_=ext),
        Part("cache", cache, "UPDATE", "cache.img", type_=ext),
        Part("userdata", userdata, "UPDATE", "userdata.img", type_=ext),
        Part("flashinfo", 0x1000000, "RESERVED", type_="NORMAL_ROM", reserved=True),
        Part("sgpt", 0x80000, "RESERVED", type_="NORMAL_ROM", reserved=True),
    ]
    return parts


def mt6580():
    parts = gpt_common("preloader_sf6580_a1.bin", 0x40000, 0x80000000, 0x1a000000, 0x118000000)
    place(parts, 0, 0x20000, "EMMC_BOOT_1")
    lines = list(NOTICE)
    lines += banner("General Setting")
    lines += v1_header("V1.1.2", "MT6580", "sf6580_a1")
    lines += banner("Layout Setting")
    for i, p in enumerate(parts):
        lines += entry(p, i, upper, "  ", lambda p: p.start, "HW_STORAGE_EMMC", "0x00", no_extra)
    write("mt6580-v1.1.2-emmc-gpt.txt", lines[:-1])


def mt6735_crlf():
    parts = gpt_common("preloader_sf6737m_35g.bin", 0x40000, 0xc0000000, 0x1b000000, 0x1a0000000,
                       extra_invisible=[("tee1", 0x500000), ("tee2", 0x500000)])
    place(parts, 0, 0x20000, "EMMC_BOOT_1")
    lines = list(NOTICE)
    lines += banner("General Setting")
    # An MT6737M board ships an MT6735 scatter: the header's platform counts.
    lines += v1_header("V1.1.2", "MT6735", "sf6737m_35g")
    lines += banner("Layout Setting")
    for i, p in enumerate(parts):
        lines += entry(p, i, lower, "  ", lambda p: p.start, "HW_STORAGE_EMMC", "0x00", no_extra)
    write("mt6735-v1.1.2-emmc-crlf.txt", lines[:-1], crlf=True)


def mt6592_mbr():
    # V1.1.2 but still MBR/EBR: user-area addresses from 0, physical = linear.
    y = "EXT4_IMG"
    parts = [
        Part("PRELOADER", 0x40000, "BOOTLOADERS", "preloader_sf92_tab.bin", type_="SV5_BL_BIN"),
        Part("MBR", 0x80000, "UPDATE", "MBR", type_="MBR_BIN"),
        Part("EBR1", 0x80000, "UPDATE", "EBR1", type_="MBR_BIN"),
        Part("PRO_INFO", 0x300000, "PROTECTED", type_="NORMAL_ROM"),
        Part("NVRAM", 0x500000, "BINREGION", type_="NORMAL_ROM"),
        Part("PROTECT_F", 0xa00000, "PROTECTED", type_=y),
        Part("PROTECT_S", 0xa00000, "PROTECTED", type_=y),
        Part("SECCFG", 0x40000, "INVISIBLE", type_="NORMAL_ROM"),
        Part("UBOOT", 0x60000, "UPDATE", "lk.bin", type_="NORMAL_ROM"),
        Part("BOOTIMG", 0x1000000, "UPDATE", "boot.img", type_="NORMAL_ROM"),
        Part("RECOVERY", 0x1000000, "UPDATE", "recovery.img", type_="NORMAL_ROM"),
        Part("SEC_RO", 0x600000, "UPDATE", "secro.img", type_=y),
        Part("MISC", 0x80000, "INVISIBLE", type_="NORMAL_ROM"),
        Part("LOGO", 0x800000, "UPDATE", "logo.bin", type_="NORMAL_ROM"),
        Part("EBR2", 0x80000, "UPDATE", "EBR2", type_="MBR_BIN"),
        Part("EXPDB", 0xa00000, "INVISIBLE", type_="NORMAL_ROM"),
        Part("ANDROID", 0x60000000, "UPDATE", "system.img", type_=y),
        Part("CACHE", 0x18000000, "UPDATE", "cache.img", type_=y),
        Part("USRDATA", 0x120000000, "UPDATE", "userdata.img", type_=y),
    ]
    place(parts, 0, 0x20000, "EMMC_BOOT_1")
    lines = list(NOTICE)
    lines += banner("General Setting")
    lines += v1_header("V1.1.2", "MT6592", "sf92_tab")
    lines += banner("Layout Setting")
    for i, p in enumerate(parts):
        lines += entry(p, i, lower, "  ", lambda p: p.start, "HW_STORAGE_EMMC", "0x00", no_extra)
    write("mt6592-v1.1.2-emmc-mbr.txt", lines[:-1])


# ---- newer V1.1.2: is_upgradable, empty_boot_needed, four reserved at the end -----------

def mt6771():
    e = "EXT4_IMG"
    parts = [
        Part("preloader", 0x80000, "BOOTLOADERS", "preloader_sf6771_s2.bin", type_="SV5_BL_BIN",
             region="EMMC_BOOT1_BOOT2"),
        Part("pgpt", 0x8000, "INVISIBLE", type_="NORMAL_ROM"),
        Part("recovery", 0x2000000, "UPDATE", "recovery.img", type_="NORMAL_ROM"),
        Part("para", 0x80000, "INVISIBLE", type_="NORMAL_ROM"),
        Part("expdb", 0x1400000, "INVISIBLE", type_="NORMAL_ROM"),
        Part("frp", 0x100000, "PROTECTED", type_="NORMAL_ROM"),
        Part("nvcfg", 0x2000000, "PROTECTED", type_=e),
        Part("nvdata", 0x4000000, "INVISIBLE", type_=e),
        Part("metadata", 0x2000000, "INVISIBLE", type_=e),
        Part("protect1", 0x800000, "PROTECTED", type_=e),
        Part("protect2", 0x800000, "PROTECTED", type_=e),
        Part("seccfg", 0x800000, "INVISIBLE", type_="NORMAL_ROM"),
        Part("proinfo", 0x300000, "PROTECTED", type_="NORMAL_ROM"),
        Part("md1img", 0x6400000, "UPDATE", "md1img.img", type_="NORMAL_ROM"),
        Part("spmfw", 0x100000, "UPDATE", "spmfw.img", type_="NORMAL_ROM"),
        # Two copies of one image, each its own partition.
        Part("scp1", 0x100000, "UPDATE", "scp.img", type_="NORMAL_ROM"),
        Part("scp2", 0x100000, "UPDATE", "scp.img", type_="NORMAL_ROM"),
        Part("sspm_1", 0x100000, "UPDATE", "sspm.img", type_="NORMAL_ROM"),
        Part("sspm_2", 0x100000, "UPDATE", "sspm.img", type_="NORMAL_ROM"),
        Part("nvram", 0x4000000, "BINREGION", type_="NORMAL_ROM"),
        Part("lk", 0x100000, "UPDATE", "lk.img", type_="NORMAL_ROM"),
        Part("lk2", 0x100000, "UPDATE", "lk.img", type_="NORMAL_ROM"),
        Part("boot", 0x2000000, "UPDATE", "boot.img", type_="NORMAL_ROM"),
        Part("logo", 0x800000, "UPDATE", "logo.bin", type_="NORMAL_ROM"),
        Part("dtbo", 0x800000, "UPDATE", "dtbo.img", type_="NORMAL_ROM"),
        Part("tee1", 0x500000, "UPDATE", "tee.img", type_="NORMAL_ROM"),
        Part("tee2", 0x500000, "UPDATE", "tee.img", type_="NORMAL_ROM"),
        Part("vendor", 0x30000000, "UPDATE", "vendor.img", type_=e),
        Part("system", 0xb0000000, "UPDATE", "system.img", type_=e),
        Part("cache", 0x1b000000, "INVISIBLE", type_=e),
        Part("userdata", 0x1c0000000, "UPDATE", "userdata.img", type_=e),
        Part("sdrpmb", 0x1000000, "RESERVED", type_="NORMAL_ROM", reserved=True),
        Part("otp", 0x2b00000, "RESERVED", type_="NORMAL_ROM", reserved=True),
        Part("flashinfo", 0x1000000, "RESERVED", type_="NORMAL_ROM", reserved=True),
        # Smaller than one block: its end-relative address rounds to 0.
        Part("sgpt", 0x4200, "RESERVED", type_="NORMAL_ROM", reserved=True),
    ]
    place(parts, 0, 0x20000, "EMMC_BOOT1_BOOT2")
    lines = list(NOTICE)
    lines += banner("General Setting")
    lines += v1_header("V1.1.2", "MT6771", "sf6771_s2")
    lines += banner("Layout Setting")
    for i, p in enumerate(parts):
        lines += entry(p, i, lower, "  ", lambda p: p.start, "HW_STORAGE_EMMC", "0x00", upgradable)
    write("mt6771-v1.1.2-emmc-upgradable-keys.txt", lines[:-1])


def mt6765_tool():
    # A third-party tool's output: its own header indentation, a build date
    # for project, no boot_channel, reserve 0x0, a file name on every
    # partition, and the reserved tail at absolute 64-bit addresses.
    e = "EXT4_IMG"
    names = [
        ("preloader", 0x80000, "BOOTLOADERS", True, "SV5_BL_BIN"),
        ("pgpt", 0x8000, "INVISIBLE", False, "NORMAL_ROM"),
        ("recovery", 0x2000000, "UPDATE", True, "NORMAL_ROM"),
        ("misc", 0x80000, "INVISIBLE", False, "NORMAL_ROM"),
        ("para", 0x80000, "INVISIBLE", False, "NORMAL_ROM"),
        ("expdb", 0x1400000, "INVISIBLE", False, "NORMAL_ROM"),
        ("frp", 0x100000, "PROTECTED", False, "NORMAL_ROM"),
        ("vbmeta", 0x800000, "UPDATE", True, "NORMAL_ROM"),
        ("metadata", 0x2000000, "INVISIBLE", False, e),
        ("nvcfg", 0x2000000, "PROTECTED", False, e),
        ("nvdata", 0x4000000, "INVISIBLE", False, e),
        ("persist", 0x3000000, "PROTECTED", False, e),
        ("protect1", 0x800000, "PROTECTED", False, e),
        ("protect2", 0x800000, "PROTECTED", False, e),
        ("seccfg", 0x800000, "INVISIBLE", False, "NORMAL_ROM"),
        ("proinfo", 0x300000, "PROTECTED", False, "NORMAL_ROM"),
        ("md1img", 0x6400000, "UPDATE", True, "NORMAL_ROM"),
        ("spmfw", 0x100000, "UPDATE", True, "NORMAL_ROM"),
        ("scp_a", 0x100000, "UPDATE", True, "NORMAL_ROM"),
        ("sspm_a", 0x100000, "UPDATE", True, "NORMAL_ROM"),
        ("gz_a", 0x1000000, "UPDATE", True, "NORMAL_ROM"),
        ("lk_a", 0x200000, "UPDATE", True, "NORMAL_ROM"),
        ("boot_a", 0x2000000, "UPDATE", True, "NORMAL_ROM"),
        ("dtbo_a", 0x800000, "UPDATE", True, "NORMAL_ROM"),
        ("tee_a", 0x500000, "UPDATE", True, "NORMAL_ROM"),
        ("nvram", 0x4000000, "BINREGION", False, "NORMAL_ROM"),
        ("logo", 0x800000, "UPDATE", True, "NORMAL_ROM"),
        ("super", 0x220000000, "UPDATE", True, e),
        ("userdata", 0x9c5cf8000, "UPDATE", True, e),
    ]
    files = {"preloader": "preloader.bin", "pgpt": "pgpt.bin", "logo": "logo.bin", "super": "super.img",
             "userdata": "userdata.img"}
    parts = [Part(n, s, op, files.get(n, n + ".img"), dl=dl, type_=t,
                  region="EMMC_BOOT1_BOOT2" if op == "BOOTLOADERS" else None)
             for n, s, op, dl, t in names]
    place(parts, 0, 0x200000, "EMMC_BOOT1_BOOT2")
    end = parts[-1].start + parts[-1].size
    parts.append(Part("otp", 0x2b00000, "RESERVED", "otp.img", dl=False, type_="NORMAL_ROM",
                      start=end, reserved=True, region="EMMC_USER"))
    parts.append(Part("flashinfo", 0x1000000, "RESERVED", "flashinfo.img", dl=False, type_="NORMAL_ROM",
                      start=end + 0x2b00000, reserved=True, region="EMMC_USER"))
    lines = list(NOTICE)
    lines += banner("General Setting")
    lines += v1_header("V1.1.2", "MT6765", "2023.04.17.1", style="tool", block="0x200000")
    lines += banner("Layout Setting")
    for i, p in enumerate(parts):
        lines += entry(p, i, upper, "  ", lambda p: p.start, "HW_STORAGE_EMMC", "0x0", upgradable)
    write("mt6765-v1.1.2-emmc-tool-generated.txt", lines[:-1])


# ---- V1.1.8: modem_check, A/B slots, CRLF -------------------------------------------

def ab(name, size, file, type_="NORMAL_ROM"):
    return [Part(name + "_a", size, "UPDATE", file, type_=type_),
            Part(name + "_b", size, "INVISIBLE", type_=type_)]


def mt6768():
    e = "EXT4_IMG"
    parts = [
        Part("preloader", 0x80000, "BOOTLOADERS", "preloader_sf68v1_64.bin", type_="SV5_BL_BIN",
             region="EMMC_BOOT1_BOOT2"),
        Part("pgpt", 0x8000, "INVISIBLE", type_="NORMAL_ROM"),
        Part("boot_para", 0x100000, "INVISIBLE", type_="NORMAL_ROM"),
        Part("para", 0x80000, "INVISIBLE", type_="NORMAL_ROM"),
        Part("expdb", 0x1400000, "INVISIBLE", type_="NORMAL_ROM"),
        Part("frp", 0x100000, "PROTECTED", type_="NORMAL_ROM"),
        Part("nvcfg", 0x2000000, "PROTECTED", type_=e),
        Part("nvdata", 0x4000000, "INVISIBLE", type_=e),
        Part("vbmeta_a", 0x800000, "UPDATE", "vbmeta.img", type_="NORMAL_ROM"),
        Part("vbmeta_b", 0x800000, "INVISIBLE", type_="NORMAL_ROM"),
        Part("metadata", 0x2000000, "INVISIBLE", type_=e),
        Part("protect1", 0x800000, "PROTECTED", type_=e),
        Part("protect2", 0x800000, "PROTECTED", type_=e),
        Part("seccfg", 0x800000, "INVISIBLE", type_="NORMAL_ROM"),
        Part("sec1", 0x200000, "INVISIBLE", type_="NORMAL_ROM"),
        Part("proinfo", 0x300000, "PROTECTED", type_="NORMAL_ROM"),
        Part("nvram", 0x4000000, "BINREGION", type_="NORMAL_ROM"),
        Part("logo", 0x800000, "UPDATE", "logo.bin", type_="NORMAL_ROM"),
    ]
    parts += ab("md1img", 0x6400000, "md1img.img")
    parts += ab("spmfw", 0x100000, "spmfw.img")
    parts += ab("scp", 0x600000, "scp.img")
    parts += ab("sspm", 0x100000, "sspm.img")
    parts += ab("gz", 0x1000000, "gz.img")
    parts += ab("lk", 0x200000, "lk.img")
    parts += ab("boot", 0x2000000, "boot.img")
    parts += ab("dtbo", 0x800000, "dtbo.img")
    parts += ab("tee", 0x500000, "tee.img")
    parts += [
        Part("otp", 0x2b00000, "INVISIBLE", type_="NORMAL_ROM"),
        Part("super", 0x200000000, "UPDATE", "super.img", type_=e),
        Part("userdata", 0x2a0000000, "UPDATE", "userdata.img", type_=e),
        Part("flashinfo", 0x1000000, "RESERVED", type_="NORMAL_ROM", reserved=True),
        Part("sgpt", 0x8000, "RESERVED", type_="NORMAL_ROM", reserved=True),
    ]
    place(parts, 0, 0x20000, "EMMC_BOOT1_BOOT2")
    lines = list(NOTICE)
    lines += banner("General Setting")
    lines += v1_header("V1.1.8", "MT6768", "sf6768_ab", more=[("modem_check", "false"), ("modem", "NA")])
    lines += banner("Layout Setting")
    for i, p in enumerate(parts):
        lines += entry(p, i, lower, "  ", lambda p: p.start, "HW_STORAGE_EMMC", "0x00", upgradable)
    write("mt6768-v1.1.8-emmc-crlf-ab.txt", lines[:-1], crlf=True)


# ---- V2.1.0: one layout per storage, CRLF --------------------------------------------

def combo_parts(lu):
    e = "EXT4_IMG"
    user = "UFS_LU2" if lu else "EMMC_USER"
    boot = "UFS_LU0_LU1" if lu else "EMMC_BOOT1_BOOT2"
    parts = [
        Part("preloader", 0x80000 if not lu else 0x100000, "BOOTLOADERS", "preloader_sf6785.bin",
             type_="SV5_BL_BIN", region=boot),
        Part("pgpt", 0x8000, "INVISIBLE", type_="NORMAL_ROM"),
        Part("recovery", 0x4000000, "UPDATE", "recovery.img", type_="NORMAL_ROM"),
        Part("para", 0x80000, "INVISIBLE", type_="NORMAL_ROM"),
        Part("expdb", 0x1400000, "INVISIBLE", type_="NORMAL_ROM"),
        Part("frp", 0x100000, "PROTECTED", type_="NORMAL_ROM"),
        Part("nvcfg", 0x2000000, "PROTECTED", type_=e),
        Part("nvdata", 0x4000000, "INVISIBLE", type_=e),
        Part("metadata", 0x2000000, "INVISIBLE", type_=e),
        Part("protect1", 0x800000, "PROTECTED", type_=e),
        Part("protect2", 0x800000, "PROTECTED", type_=e),
        Part("seccfg", 0x800000, "INVISIBLE", type_="NORMAL_ROM"),
        Part("persist", 0x3000000, "PROTECTED", type_=e),
        Part("sec1", 0x200000, "INVISIBLE", type_="NORMAL_ROM"),
        Part("proinfo", 0x300000, "PROTECTED", type_="NORMAL_ROM"),
        Part("md1img", 0x6400000, "UPDATE", "md1img.img", type_="NORMAL_ROM"),
        Part("spmfw", 0x100000, "UPDATE", "spmfw.img", type_="NORMAL_ROM"),
        Part("scp1", 0x600000, "UPDATE", "scp.img", type_="NORMAL_ROM"),
        Part("scp2", 0x600000, "UPDATE", "scp.img", type_="NORMAL_ROM"),
        Part("sspm_1", 0x100000, "UPDATE", "sspm.img", type_="NORMAL_ROM"),
        Part("sspm_2", 0x100000, "UPDATE", "sspm.img", type_="NORMAL_ROM"),
        Part("nvram", 0x4000000, "BINREGION", type_="NORMAL_ROM"),
        Part("lk", 0x200000, "UPDATE", "lk.img", type_="NORMAL_ROM"),
        Part("lk2", 0x200000, "UPDATE", "lk.img", type_="NORMAL_ROM"),
        Part("boot", 0x4000000, "UPDATE", "boot.img", type_="NORMAL_ROM"),
        Part("logo", 0x1000000, "UPDATE", "logo.bin", type_="NORMAL_ROM"),
        Part("dtbo", 0x800000, "UPDATE", "dtbo.img", type_="NORMAL_ROM"),
        Part("tee1", 0x500000, "UPDATE", "tee.img", type_="NORMAL_ROM"),
        Part("tee2", 0x500000, "UPDATE", "tee.img", type_="NORMAL_ROM"),
        Part("efuse", 0x80000, "UPDATE", "efuse.img", type_="NORMAL_ROM"),
        Part("vendor", 0x40000000, "UPDATE", "vendor.img", type_=e),
        Part("system", 0xc0000000, "UPDATE", "system.img", type_=e),
        Part("cache", 0x1b000000, "INVISIBLE", type_=e),
        Part("userdata", 0x300000000, "UPDATE", "userdata.img", type_=e),
        Part("otp", 0x2b00000, "RESERVED", type_="NORMAL_ROM", reserved=True),
        Part("flashinfo", 0x1000000, "RESERVED", type_="NORMAL_ROM", reserved=True),
        Part("sgpt", 0x8000, "RESERVED", type_="NORMAL_ROM", reserved=True),
    ]
    place(parts, 0, 0x80000 if lu else 0x20000, boot, user)
    return parts


def mt6785_combo():
    lines = list(NOTICE)
    lines += banner("General Setting")
    lines += ["- general: MTK_PLATFORM_CFG", "  info: ",
              "    - config_version: V2.1.0",
              "      platform: MT6785",
              "      project: sf6785_combo"]
    for storage, channel, block, lu in (("EMMC", "MSDC_0", "0x20000", False),
                                        ("UFS", "UFSHCI_0", "0x80000", True)):
        lines += banner(storage + " Layout Setting")
        lines += ["- storage_type: " + storage, "  description: ",
                  "  - general: MTK_STORAGE_CFG", "    info: ",
                  "      - storage: " + storage,
                  "        boot_channel: " + channel,
                  "        block_size: " + block, ""]
        for i, p in enumerate(combo_parts(lu)):
            lines += entry(p, i, lower, "    ", lambda p: p.start, "HW_STORAGE_" + storage, "0x00", upgradable)
    write("mt6785-v2.1.0-combo-crlf.txt", lines[:-1], crlf=True)


# ---- legacy: NAME 0xADDR { } ---------------------------------------------------------

def mt6589_legacy():
    entries = [
        ("PRELOADER", 0x0), ("MBR", 0x600000), ("EBR1", 0x680000), ("__NODL_PMT", 0x700000),
        ("__NODL_PRO_INFO", 0xb00000), ("__NODL_NVRAM", 0xe00000), ("__NODL_PROTECT_F", 0x1300000),
        ("__NODL_PROTECT_S", 0x1d00000), ("__NODL_SECCFG", 0x2700000), ("UBOOT", 0x2720000),
        ("BOOTIMG", 0x2780000), ("RECOVERY", 0x2f80000), ("SEC_RO", 0x3780000),
        ("__NODL_MISC", 0x3d80000), ("LOGO", 0x3e00000), ("EBR2", 0x4200000),
        ("__NODL_EXPDB", 0x4280000), ("ANDROID", 0x4c80000), ("CACHE", 0x54c80000),
        ("USRDATA", 0x6cc80000), ("__NODL_FAT", 0xccc80000), ("__NODL_BMTPOOL", 0xFFFF00a8),
    ]
    lines = []
    for name, addr in entries:
        # The end-relative address with its upper half in capitals, as written.
        text = "0xFFFF%04x" % (addr & 0xFFFF) if addr >> 16 == 0xFFFF else "0x%x" % addr
        lines += ["%s %s" % (name, text), "{", "}"]
    # Ends with two blank lines, as MediaTek's generator left them.
    write("mt6589-legacy-emmc.txt", lines, tail_blanks=2)


# ---- junk real files carry (docs/scatter-format.md §12) -------------------------------
#
# Each file below is ours, made up like the rest, and reproduces one quirk
# seen in a public scatter file; the comment names the file it was seen in.

def junk_header(title, version, platform, project, more=()):
    lines = ["# Scatterflash test fixture: " + title,
             "# Made up for the tests (tests/data/README.md). SPDX-License-Identifier: GPL-3.0-or-later"]
    lines += banner("General Setting")
    lines += v1_header(version, platform, project, more=more)
    lines += banner("Layout Setting")
    return lines


def mt6739_reserved_tail_absolute():
    # Seen in ReimuNotMoe/Philips-E289-Hack, MT6739_Android_scatter.txt
    # (V1.1.6): a tool wrote the reserved tail at absolute addresses it
    # worked out from a wrong end of the card, so sgpt (0x4200 bytes, not a
    # whole sector from the end) lands before flashinfo and off a 512-byte
    # sector. Neither is ever written.
    parts = gpt_common("preloader_sf6739_e2.bin", 0x40000, 0x60000000, 0x10000000, 0x6fffbe00)
    place(parts, 0, 0x20000, "EMMC_BOOT_1")
    end = parts[-3].start + parts[-3].size
    parts[-2].start = end
    parts[-1].size = 0x4200
    parts[-1].start = end - 0x80
    lines = junk_header("a tool-made MT6739 file whose reserved tail has absolute addresses out of order.",
                        "V1.1.6", "MT6739", "sf6739_e2", more=[("check_bootloaders_consistency", "true")])
    for i, p in enumerate(parts):
        lines += entry(p, i, upper, "  ", lambda p: p.start, "HW_STORAGE_EMMC", "0x00", upgradable)
    write("mt6739-v1.1.6-emmc-reserved-tail-absolute.txt", lines[:-1])


def mt6580_tool_marker():
    # Seen in forum packages for Bird-made phones: a first line
    # "BIRDTOOLMINVER[3.0]" before the header, which SP Flash Tool refuses
    # and forum guides say to delete (slotdemo.me, "Flash firmware dengan SP
    # Flash Tool: mengatasi error The scatter file is invalid", 2020).
    parts = gpt_common("preloader_sf6580_b3.bin", 0x40000, 0x60000000, 0x10000000, 0x100000000)
    place(parts, 0, 0x20000, "EMMC_BOOT_1")
    lines = ["BIRDTOOLMINVER[3.0]"]
    lines += junk_header("an MT6580 file with another tool's mark on its first line.",
                         "V1.1.2", "MT6580", "sf6580_b3")
    for i, p in enumerate(parts):
        lines += entry(p, i, upper, "  ", lambda p: p.start, "HW_STORAGE_EMMC", "0x00", no_extra)
    write("mt6580-v1.1.2-emmc-tool-marker-line.txt", lines[:-1], crlf=True)


def mt6735_index_from_one():
    # Seen in 0xecution3r/Temu-T7-Tablet, MT6735_Android_scatter.txt (a
    # hand-made file, project "your_device"): partition_index counts from
    # SYS1, so every index is one more than the entry's place.
    parts = gpt_common("preloader_sf6735_t7.bin", 0x40000, 0x80000000, 0x10000000, 0x100000000)
    place(parts, 0, 0x20000, "EMMC_BOOT_1")
    lines = junk_header("an MT6735 file whose partition_index starts at SYS1.",
                        "V1.1.2", "MT6735", "your_device")
    for i, p in enumerate(parts):
        lines += entry(p, i + 1, upper, "  ", lambda p: p.start, "HW_STORAGE_EMMC", "0x00", no_extra)
    write("mt6735-v1.1.2-emmc-index-from-1.txt", lines[:-1])


def ota_partition_list():
    # Seen as ota_scatter.txt in lbule/blu_v0350ww_dump, as
    # original_files/update_scatter.txt in ttefke/android_device_nb_vernee_M5,
    # as scatter.txt in TadiT7/infinix_infinix-x5514_dump, and posted on
    # forum.hovatek.com (post-203906) as "The scatter file is invalid": an
    # OTA package's partition list, "name 0xADDR" without "{" "}". Refused.
    parts = gpt_common("preloader.bin", 0x40000, 0x60000000, 0x10000000, 0x100000000)
    place(parts, 0, 0x20000, "EMMC_BOOT_1")
    lines = ["%s %s" % (p.name, upper(p.start) if p.start >> 16 == 0xFFFF else lower(p.start)) for p in parts]
    write("ota-partition-list.txt", lines, folder=BAD)


# ---- broken files: one mistake each ----------------------------------------------------
#
# A small V1.1.2 layout that is right as written here; each file below
# changes one thing in it. tests/test-scatter.c says which error each one
# must give, on which line.

def small_parts():
    parts = [
        Part("preloader", 0x40000, "BOOTLOADERS", "preloader_sf6580_a1.bin", type_="SV5_BL_BIN"),
        Part("pgpt", 0x80000, "INVISIBLE", type_="NORMAL_ROM"),
        Part("loader_ext1", 0x80000, "BOOTLOADERS", "loader_ext1.bin", type_="SV5_BL_BIN"),
        Part("proinfo", 0x300000, "PROTECTED", type_="NORMAL_ROM"),
        Part("nvram", 0x500000, "BINREGION", type_="NORMAL_ROM"),
        Part("lk", 0x80000, "UPDATE", "lk.bin", type_="NORMAL_ROM"),
        Part("boot", 0x1000000, "UPDATE", "boot.img", type_="NORMAL_ROM"),
        Part("recovery", 0x1000000, "UPDATE", "recovery.img", type_="NORMAL_ROM"),
        Part("system", 0x60000000, "UPDATE", "system.img", type_="EXT4_IMG"),
        Part("userdata", 0x80000000, "UPDATE", "userdata.img", type_="EXT4_IMG"),
        Part("sgpt", 0x80000, "RESERVED", type_="NORMAL_ROM", reserved=True),
    ]
    place(parts, 0, 0x20000, "EMMC_BOOT_1")
    # loader_ext1 lives in the user area (place() put it at 0 of the boot region).
    parts[2].region = "EMMC_USER"
    addr = 0
    for p in parts[1:-1]:
        p.start = addr
        addr += p.size
    return parts


def small_file(parts, header=True, version="V1.1.2"):
    lines = ["# Scatterflash test fixture: broken on purpose (tests/data/README.md).",
             "# SPDX-License-Identifier: GPL-3.0-or-later"]
    if header:
        lines += ["- general: MTK_PLATFORM_CFG", "  info:"]
        lines += ["    - config_version: " + version] if version else []
        lines += [("      " if version else "    - ") + "platform: MT6580",
                  "      project: sf6580_a1", "      storage: EMMC",
                  "      boot_channel: MSDC_0", "      block_size: 0x20000"]
    for i, p in enumerate(parts):
        lines += entry(p, i, lower, "  ", lambda p: p.start, "HW_STORAGE_EMMC", "0x00", no_extra)
    return lines[:-1]


def replace_line(lines, old, new, nth=0):
    hits = [i for i, l in enumerate(lines) if l == old]
    if new is None:
        del lines[hits[nth]]
    else:
        lines[hits[nth]] = new
    return lines


def broken():
    # The layout as it should be: a fixture of its own (a loader_ext1
    # bootloader in the user area, as V1.1.6-era files have).
    write("mt6580-v1.1.2-emmc-small-loader-ext.txt", small_file(small_parts()))

    parts = small_parts()
    parts[6].start = parts[5].start - 0x40000          # boot before lk
    write("addresses-out-of-order.txt", small_file(parts), folder=BAD)

    parts = small_parts()
    parts[7].start -= 0x100000                        # recovery starts inside boot
    write("overlap.txt", small_file(parts), folder=BAD)

    parts = small_parts()
    parts[7].name = "BOOT"                             # boot again, in capitals
    write("duplicate-name.txt", small_file(parts), folder=BAD)

    parts = small_parts()
    lines = small_file(parts)
    boot = lower(parts[6].start)
    replace_line(lines, "  linear_start_addr: " + boot, "  linear_start_addr: " + "0x" + boot[2:].replace("0", "O"))
    write("bad-hex.txt", lines, folder=BAD)

    lines = small_file(small_parts())
    replace_line(lines, "  partition_size: 0x500000", None)  # nvram's
    write("missing-size.txt", lines, folder=BAD)

    lines = small_file(small_parts())
    write("truncated.txt", lines[:lines.index("  partition_name: sgpt") + 4], folder=BAD)

    parts = small_parts()
    parts[2].dl = False                                # loader_ext1 not written, preloader is
    write("bootloaders-disagree.txt", small_file(parts), folder=BAD)

    lines = small_file(small_parts())
    replace_line(lines, "  is_download: true", "  is_download: yes", nth=2)
    write("bad-bool.txt", lines, folder=BAD)

    write("no-config-version.txt", small_file(small_parts(), version=None), folder=BAD)
    write("unknown-version.txt", small_file(small_parts(), version="V3.0.0"), folder=BAD)
    write("no-general-header.txt", small_file(small_parts(), header=False), folder=BAD)

    legacy = ["PRELOADER 0x0", "{", "}", "MBR 0x600000", "{", "}", "EBR1 0x680000", "{", "}",
              "__NODL_PMT 0x700000", "{", "}", "UBOOT 0x720000", "{", "}", "BOOTIMG 0x780000", "{", "}"]
    write("legacy-unclosed-brace.txt", legacy[:-1], folder=BAD)
    descending = list(legacy)
    descending[12] = "UBOOT 0x520000"
    write("legacy-descending.txt", descending, folder=BAD)


if __name__ == "__main__":
    mt6572_a()
    mt6572_filler()
    mt6572_b()
    mt6582()
    mt6580()
    mt6592_mbr()
    mt6735_crlf()
    mt6765_tool()
    mt6771()
    mt6768()
    mt6785_combo()
    mt6589_legacy()
    mt6739_reserved_tail_absolute()
    mt6580_tool_marker()
    mt6735_index_from_one()
    ota_partition_list()
    broken()
