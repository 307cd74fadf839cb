#!/usr/bin/env bash
# The viewer in a real browser (issue 12): builds the HTML of a shipped failing
# run (Raft's nemesis scenario with the no_election_restriction mutant, seed 2:
# leader_completeness breaks at 6.4 s, with messages to crashed nodes dropped
# in the window the page opens on; seed 1 has none there since Raft's
# probe_after_refusal became the default), opens it in headless Chromium, and
# checks what the page drew, as the viewer reports it in #render-summary after
# its script ran: five node lanes n0..n4 and the clients' lanes, message
# arrows, the violation in view,
# and, read back from the canvas pixels, the violation's colour at its marker
# and an arrow's colour on an arrow. Installs Debian's chromium if missing.
#
#   scripts/test-browser.sh                      the check (CI)
#   scripts/test-browser.sh --screenshot FILE    also a 1400x820 screenshot of the run's last
#                                                30 ms (docs/img/viewer.png)
#   scripts/test-browser.sh --large              also open a trace of over 100,000 events and
#                                                print how long the page took to open
# FAULTLINE=path/to/faultline overrides build/faultline.
set -euo pipefail
cd "$(dirname "$0")/.."
faultline=${FAULTLINE:-build/faultline}
screenshot="" large=0
while [ $# -gt 0 ]; do
  case "$1" in
    --screenshot) screenshot=$2; shift 2 ;;
    --large) large=1; shift ;;
    *) echo "usage: $0 [--screenshot FILE] [--large]" >&2; exit 2 ;;
  esac
done

if ! command -v chromium >/dev/null; then
  echo "test-browser: installing chromium"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium
fi

started=$(date +%s%N)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
browser() {  # browser URL ARGS...: headless chromium with a profile of its own
  local url=$1; shift
  timeout 120 chromium --headless --disable-gpu --no-sandbox --hide-scrollbars --mute-audio \
    --no-first-run --user-data-dir="$work/profile" --window-size=1400,820 "$@" "$url" 2>"$work/chromium.log"
}

# A failing run exits 1; anything else is a failure of this test.
status=0
"$faultline" run scenarios/raft/nemesis.yaml --seed 2 --set params.mutant=no_election_restriction \
  --html "$work/run.html" >"$work/run.txt" || status=$?
[ "$status" -eq 1 ] || { echo "test-browser: the mutant run exited $status, expected 1"; cat "$work/run.txt"; exit 1; }

browser "file://$work/run.html" --dump-dom >"$work/dom.html"
/usr/bin/python3 - "$work/dom.html" <<'PY'
import html.parser, sys
class Summary(html.parser.HTMLParser):
    found = None
    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id") == "render-summary": Summary.found = attrs
Summary().feed(open(sys.argv[1], encoding="utf-8").read())
s = Summary.found
if not s or s.get("data-ready") != "true":
    sys.exit("test-browser: FAIL: the viewer's script did not run (no #render-summary data)")
checks = [
    ("five node lanes n0..n4, then one lane per client",
     s["data-lane-names"].split(",")[:5] == ["n0", "n1", "n2", "n3", "n4"]
     and len(s["data-lane-names"].split(",")) == int(s["data-lanes"]) > 5
     and all(n.startswith("client ") for n in s["data-lane-names"].split(",")[5:])),
    ("at least one message arrow drawn", int(s["data-arrows-drawn"]) + int(s["data-aggregate-arrows-drawn"]) >= 1),
    ("an arrow's colour is on the canvas at the arrow (" + s["data-arrow-sampled"] + ")", s["data-arrow-pixel-seen"] == "true"),
    ("one violation, in view on open", s["data-violations"] == "1" and s["data-violation-visible"] == "true"),
    ("the violation marker lies inside the viewport",
     0 < int(s["data-violation-x"]) < int(s["data-viewport"].split("x")[0]) and
     0 < int(s["data-violation-y"]) < int(s["data-viewport"].split("x")[1])),
    ("the violation's colour is on the canvas at its marker", s["data-violation-pixel-seen"] == "true"),
    ("dropped messages drawn", int(s["data-drops-drawn"]) >= 1),
]
failed = [name for name, ok in checks if not ok]
for name, ok in checks: print(("ok    " if ok else "FAIL  ") + name)
print("viewer: %s events, opened in %s ms (parse %s, index %s, draw %s)" % (
    s["data-events"], s["data-open-ms"], s["data-parse-ms"], s["data-index-ms"], s["data-draw-ms"]))
if failed: sys.exit("test-browser: FAIL: " + "; ".join(failed))
PY

if [ -n "$screenshot" ]; then
  # The last 30 ms: n2's election of term 8, won with the mutant's votes.
  browser "file://$work/run.html#window=6352000000..6382000000" --screenshot="$work/shot.png" >/dev/null
  mkdir -p "$(dirname "$screenshot")" && cp "$work/shot.png" "$screenshot"
  echo "test-browser: screenshot in $screenshot"
fi

if [ "$large" -eq 1 ]; then
  "$faultline" run scenarios/raft/nemesis.yaml --seed 2 --set duration=35s --trace "$work/large.jsonl" >/dev/null || true
  "$faultline" view "$work/large.jsonl" -o "$work/large.html" >/dev/null
  browser "file://$work/large.html" --dump-dom | /usr/bin/python3 -c '
import re, sys
s = dict(re.findall(r"data-([a-z-]+)=\"([^\"]*)\"", re.search(r"<div id=\"render-summary\"[^>]*>", sys.stdin.read()).group(0)))
print("large trace: %s events, %s messages; opened in %s ms (parse %s, index %s, first frame %s); %s arrows, %s aggregate arrows for %s messages" % (
    s["events"], s["messages"], s["open-ms"], s["parse-ms"], s["index-ms"], s["draw-ms"], s["arrows-drawn"],
    s["aggregate-arrows-drawn"], s["aggregated-messages"]))'
fi
echo "test-browser: passed in $(( ($(date +%s%N) - started) / 100000000 ))e-1 s" | sed 's/\([0-9]\)e-1/.\1/' 
