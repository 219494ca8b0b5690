# scatterflash-cli.bash — bash completion for scatterflash-cli
#
# Copyright 2026 The Scatterflash authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The commands and each command's options are read from the program's own
# --help (so this file never falls behind it); the values of the options that
# take a fixed set of words, and which arguments are files or folders, are
# known here.

# Print the commands, one a line.
_scatterflash_cli_commands()
{
  local prog=$1 line
  LC_ALL=C.UTF-8 "$prog" --help 2>/dev/null | {
    local in_list=0
    while IFS= read -r line; do
      case $line in
        Commands:) in_list=1 ;;
        '') in_list=0 ;;
        '  '[a-z]*)
          if [[ $in_list == 1 ]]; then
            line=${line#  }
            printf '%s\n' "${line%% *}"
          fi ;;
      esac
    done
  }
}

# Print the long options of a command, one a line, with a trailing "=" when
# the option takes a value.
_scatterflash_cli_options()
{
  local prog=$1 command=$2 line
  LC_ALL=C.UTF-8 "$prog" "$command" --help 2>/dev/null | while IFS= read -r line; do
    if [[ $line =~ ^\ +(-[a-zA-Z],\ )?(--[a-z0-9-]+)(=[^ ]+)? ]]; then
      if [[ -n ${BASH_REMATCH[3]} ]]; then
        printf '%s=\n' "${BASH_REMATCH[2]}"
      else
        printf '%s\n' "${BASH_REMATCH[2]}"
      fi
    fi
  done
}

# Add the words of $2 that start with $1 to COMPREPLY.
_scatterflash_cli_add_words()
{
  local word
  while IFS= read -r word; do
    [[ -n $word ]] && COMPREPLY+=("$word")
  done < <(compgen -W "$2" -- "$1")
}

_scatterflash_cli_add_files()
{
  local cur=$1 dirs_only=$2 word
  compopt -o filenames 2>/dev/null
  while IFS= read -r word; do
    [[ -n $word ]] && COMPREPLY+=("$word")
  done < <(if [[ $dirs_only == 1 ]]; then compgen -d -- "$cur"; else compgen -f -- "$cur"; fi)
}

_scatterflash_cli()
{
  local prog=${COMP_WORDS[0]}
  local cur=${COMP_WORDS[COMP_CWORD]}
  local command="" option="" i word

  COMPREPLY=()

  # "--scene=dow" arrives as "--scene" "=" "dow" (COMP_WORDBREAKS has "=").
  if [[ $cur == "=" ]]; then
    option=${COMP_WORDS[COMP_CWORD - 1]}
    cur=""
  elif (( COMP_CWORD >= 2 )) && [[ ${COMP_WORDS[COMP_CWORD - 1]} == "=" ]]; then
    option=${COMP_WORDS[COMP_CWORD - 2]}
  elif [[ $cur == --*=* ]]; then
    option=${cur%%=*}
    cur=${cur#*=}
  elif (( COMP_CWORD >= 2 )); then
    # "--scene dow": the previous word is an option that takes a value.
    word=${COMP_WORDS[COMP_CWORD - 1]}
    if [[ $word == --* ]]; then
      option=$word
    fi
  fi

  for (( i = 1; i < COMP_CWORD; i++ )); do
    word=${COMP_WORDS[i]}
    if [[ $word != -* && $word != "=" ]]; then
      command=$word
      break
    fi
  done

  if [[ -z $command ]]; then
    if [[ $cur == -* ]]; then
      _scatterflash_cli_add_words "$cur" "--help --version"
    else
      _scatterflash_cli_add_words "$cur" "$(_scatterflash_cli_commands "$prog")"
    fi
    return 0
  fi

  local options
  options=$(_scatterflash_cli_options "$prog" "$command")

  # The value of an option. A flag that takes none falls through.
  if [[ -n $option ]] && grep -qx -- "$option=" <<< "$options"; then
    case $option in
      --scene)
        if [[ $command == plan ]]; then
          _scatterflash_cli_add_words "$cur" "download-only firmware-upgrade format-all-download format readback"
        else
          _scatterflash_cli_add_words "$cur" "download-only firmware-upgrade format-all-download"
        fi ;;
      --mode) _scatterflash_cli_add_words "$cur" "auto brom preloader" ;;
      --storage) _scatterflash_cli_add_words "$cur" "EMMC UFS" ;;
      --region) _scatterflash_cli_add_words "$cur" "EMMC_USER EMMC_BOOT_1 EMMC_BOOT_2" ;;
      --port)
        _scatterflash_cli_add_words "$cur" "auto"
        _scatterflash_cli_add_files "$cur" 0 ;;
      --output-dir|--backup-dir|--virtual-dir) _scatterflash_cli_add_files "$cur" 1 ;;
      --da|--output) _scatterflash_cli_add_files "$cur" 0 ;;
      *) ;;
    esac
    return 0
  fi

  if [[ $cur == -* ]]; then
    _scatterflash_cli_add_words "$cur" "$options"
    # An option that takes a value: no space after its "=".
    if (( ${#COMPREPLY[@]} == 1 )) && [[ ${COMPREPLY[0]} == *= ]]; then
      compopt -o nospace 2>/dev/null
    fi
    return 0
  fi

  # The arguments: a backup folder for restore, else a scatter file, a
  # firmware folder or an archive.
  if [[ $command == restore ]]; then
    _scatterflash_cli_add_files "$cur" 1
  else
    _scatterflash_cli_add_files "$cur" 0
  fi
  return 0
}

complete -F _scatterflash_cli scatterflash-cli
