#!/bin/sh
# A stand-in aerender that finishes at once: prints the end of a render and writes -output.
out=""
while [ $# -gt 0 ]; do
  if [ "$1" = "-output" ]; then out="$2"; shift; fi
  shift
done
printf 'PROGRESS:  Start: 0:00:00:00\nPROGRESS:  Duration: 0:00:00:01\nPROGRESS:  Frame Rate: 25.00 (comp)\nPROGRESS:  0:00:00:00 (1): 0 Seconds\nPROGRESS:  Finished composition "Main"\n'
printf 'x' > "$out"
