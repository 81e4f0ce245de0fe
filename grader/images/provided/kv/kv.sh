#!/bin/sh
# kv put KEY VALUE... | kv get KEY | kv list
# Each key is the file /var/lib/kv/KEY (what httpd serves as GET /KEY).
dir=/var/lib/kv
usage() { echo "usage: kv put KEY VALUE... | kv get KEY | kv list" >&2; exit 2; }
valid() { case "$1" in ""|*/*|.*) echo "kv: invalid key '$1'" >&2; exit 2 ;; esac; }
case "$1" in
  put)
    [ $# -ge 3 ] || usage
    key=$2; valid "$key"; shift 2
    # write then rename, so a reader never sees half a value
    printf '%s' "$*" > "$dir/.$key.tmp" && mv "$dir/.$key.tmp" "$dir/$key" ;;
  get) [ $# -eq 2 ] || usage; valid "$2"; [ -f "$dir/$2" ] || { echo "kv: no key '$2'" >&2; exit 1; }; cat "$dir/$2"; echo ;;
  list) ls -1 "$dir" ;;
  *) usage ;;
esac
