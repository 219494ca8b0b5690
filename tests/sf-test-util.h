/* sf-test-util.h — helpers shared by the Check suites
 *
 * Copyright 2026 The Scatterflash authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <check.h>
#include <gio/gio.h>

#include "sf-scatter.h"

/* Path of a file in tests/data/scatter, the scatter fixtures written for
 * the tests (SF_FIXTURES_DIR; tests/data/README.md). */
char       *sf_test_fixture_path   (const char  *name);
/* Loads a fixture; fails the test with the GError message if it does not load. */
SfScatter  *sf_test_load_fixture   (const char  *name);
/* @text (LF or CRLF) rewritten: with CRLF or LF line ends, trailing blanks
 * on every line, a byte-order mark, or two more blanks of indentation. */
char       *sf_test_mangle          (const char  *text,
                                     gboolean     crlf,
                                     gboolean     trailing,
                                     gboolean     bom,
                                     gboolean     indent);
/* Fails the test unless @a and @b have the same layouts and partitions
 * (names, files, regions, addresses, sizes, lines, download flags). */
void        sf_test_assert_same_map (SfScatter   *a,
                                     SfScatter   *b);
/* A fresh folder under $TMPDIR; remove it with sf_test_rm_rf(). */
char       *sf_test_make_tempdir   (void);
void        sf_test_write_file     (const char  *path,
                                    const void  *data,
                                    gsize        length);
void        sf_test_rm_rf          (const char  *path);
/* Runs scatterflash-cli (SF_CLI) with the given arguments (NULL-terminated);
 * returns its exit status and hands back stdout and stderr, freeing what
 * the two pointers held before. */
int         sf_test_run_cli        (char       **out_stdout,
                                    char       **out_stderr,
                                    const char  *first_arg,
                                    ...);
/* The same with the arguments in a NULL-terminated array. */
int         sf_test_run_cliv       (char              **out_stdout,
                                    char              **out_stderr,
                                    const char * const *args);
/* Runs a Check suite the way every test binary does, returns the exit code. */
int         sf_test_run_suite      (Suite       *suite);

#define SF_TEST_MB (1024 * 1024)

/* Fails the test unless the image @path (expanded when sparse) is on the
 * virtual phone's storage file @storage/@device at @offset. */
void        sf_test_assert_image_at  (const char  *storage,
                                      const char  *path,
                                      const char  *device,
                                      guint64      offset);
/* Fails the test unless every image of the sample firmware is where its
 * scatter puts it on the virtual phone's @storage. */
void        sf_test_assert_sample_on (const char  *storage);

/* ---- a phone for differential tests ------------------------------------ */

/* The same test bodies run against two phones: our virtual phone
 * (scatterflash-sim, SF_SIM) and MediaTek's own MT6572 DA run in an
 * emulator (realda-phone, SF_REALDA, with the DA file SF_REALDA_DA; see
 * ../shared/tools/realda/README.md). */
typedef enum {
  SF_TEST_PHONE_SIM,
  SF_TEST_PHONE_REALDA,
} SfTestPhoneKind;

typedef struct _SfTestPhone SfTestPhone;

/* "sim" or "realda" → kind; FALSE for anything else. */
gboolean      sf_test_phone_parse_kind (const char       *name,
                                        SfTestPhoneKind  *kind);
const char   *sf_test_phone_kind_name  (SfTestPhoneKind   kind);
/* Whether @kind can run on this machine; if not, @why says what is
 * missing (realda: the launcher, python3-unicorn or the DA file). */
gboolean      sf_test_phone_usable     (SfTestPhoneKind   kind,
                                        char            **why);
/* Powers a phone on over the eMMC files in @storage (kept between
 * phones), in preloader mode, with @extra_args (NULL-terminated, may be
 * NULL) added to its command line; fails the test if no PORT line comes
 * within 30 s. */
SfTestPhone  *sf_test_phone_start      (SfTestPhoneKind     kind,
                                        const char         *storage,
                                        const char * const *extra_args);
const char   *sf_test_phone_get_port   (SfTestPhone        *phone);
/* The DA file the host must send to this phone. */
const char   *sf_test_phone_get_da     (SfTestPhone        *phone);
/* Stops the phone (SIGTERM unless it already left) and frees it. */
void          sf_test_phone_stop       (SfTestPhone        *phone);
