#!/bin/sh
# kv put KEY VALUE | kv get KEY | kv list
dir=/var/lib/kv
usage() { echo "usage: kv put KEY VALUE | kv get KEY | kv list" >&2; exit 2; }
valid() { case "$1" in ""|*/*|.*) echo "kv: invalid key '$1'" >&2; exit 2 ;; esac; }
case "$1" in
  put) [ $# -eq 3 ] || usage; valid "$2"; printf '%s' "$3" > "$dir/$2.tmp" && mv "$dir/$2.tmp" "$dir/$2" ;;
  get) [ $# -eq 2 ] || usage; valid "$2"; [ -f "$dir/$2" ] || { echo "kv: no key '$2'" >&2; exit 1; }; cat "$dir/$2"; echo ;;
  list) ls -1 "$dir" ;;
  *) usage ;;
esac
