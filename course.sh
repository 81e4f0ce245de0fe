#!/usr/bin/env bash
# docker-course: one command starts the course, one runs the whole test suite.
#
#   ./course.sh start   set everything up (Python venv, Docker engine, offline base
#                       images, the lab) and start JupyterLab; prints the URL
#   ./course.sh test    set everything up and run the whole test suite (lint, types,
#                       unit, engine, notebooks, classroom grading, browser)
#   ./course.sh stop    stop the lab (its data is kept)
#   ./course.sh lock    regenerate constraints.txt (the Python lock of the host and the lab)
#   ./course.sh bench   run every benchmark (bench/run_all.py; results in bench/results/,
#                       the README's Benchmarks section rewritten from them)
#   ./course.sh gradebook  install Debian's postgresql if missing and start the course's
#                       PostgreSQL for a class's gradebook (prints DOCKER_COURSE_GRADEBOOK)
#
# Host packages are declared in system-packages.txt, Python versions in constraints.txt.
# Safe to run again: the second run reuses everything.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"
ROOT=$PWD
VENV="$ROOT/.venv"
export PIP_DISABLE_PIP_VERSION_CHECK=1
export PATH="$VENV/bin:$PATH"  # nbgrader calls alembic from PATH

say() { printf '[course.sh] %s\n' "$*" >&2; }
STAGE_START=0
stage() { STAGE_START=$(date +%s); say "== $1"; }
stage_done() { say "   done in $(( $(date +%s) - STAGE_START )) s"; }

# Debian packages of a stage (start | test), from system-packages.txt ("package tool stage" lines).
system_packages() { awk -v stage="$1" '!/^#/ && NF >= 3 && $3 == stage { print $1 }' "$ROOT/system-packages.txt"; }

is_debian_root() { [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null; }
APT_UPDATED=0
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! is_debian_root; then
    say "missing system packages: ${missing[*]} (install them, or run as root on Debian/Ubuntu)"
    return 1
  fi
  say "apt-get install ${missing[*]}"
  if [ "$APT_UPDATED" = 0 ]; then apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The lab's root filesystem (debootstrap, wheelhouse, venv: the longest step of a fresh machine) and Debian's need
# only the standard library: made in the background while pip installs (grader/engine/root_build.py);
# `docker-course up` waits for it, or makes it itself when this could not.
start_root_build() {
  is_debian_root || return 0
  local cache="${DOCKER_COURSE_CACHE:-$HOME/.cache/docker-course}" log
  mkdir -p "$cache/build"; log="$cache/build/root-build.log"
  say "the lab's and Debian's root filesystems: made in the background meanwhile (log: $log)"
  PYTHONPATH="$ROOT" nohup "$VENV/bin/python" -m grader.engine.root_build >"$log" 2>&1 &
}

FULL_EXTRAS="test,hub,postgres"  # the test suite's and the benchmarks' tools
START_EXTRAS="hub,postgres"       # running the course needs no test tools (a fresh start installs less)
setup() {  # EXTRAS [root-build]: root-build also makes the lab's root filesystem in the background
  stage "setup: system packages and the Python environment"
  local extras=$1
  # the engine and the offline image builder (the course starts dockerd itself)
  # shellcheck disable=SC2046 # one word per package
  if is_debian_root; then apt_install $(system_packages start); fi
  if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV"; fi
  local stamp installed
  stamp=$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)
  installed=$(cat "$VENV/.installed" 2>/dev/null || true)  # "STAMP EXTRAS"; the full set serves every command
  if [ "$installed" != "$stamp $extras" ] && [ "$installed" != "$stamp $FULL_EXTRAS" ]; then
    "$VENV/bin/pip" install -q --upgrade pip  # first: the root build's pip download must not see it change
    if [ "${2:-}" = root-build ]; then start_root_build; fi
    "$VENV/bin/pip" install -q -c constraints.txt -e ".[$extras]"
    echo "$stamp $extras" > "$VENV/.installed"
  fi
  stage_done
}

cmd_start() {
  case " $* " in
    *" --mode host "*|*" --mode=host "*) setup "$START_EXTRAS" ;;  # no lab image needed
    *) setup "$START_EXTRAS" root-build ;;
  esac
  stage "start: engine, base images, lab, JupyterLab"
  "$VENV/bin/docker-course" up "$@"
  stage_done
}

FAILED=()
run_pytest() {  # name, pytest args...
  local name=$1; shift
  stage "tests: $name"
  local rc=0
  "$VENV/bin/python" -m pytest "$@" --junitxml="$ROOT/build/junit-$name.xml" || rc=$?
  stage_done
  # 5 = no tests collected: a stage that tests nothing has failed too
  if [ "$rc" = 5 ]; then say "stage $name collected no tests"; fi
  [ "$rc" = 0 ] || FAILED+=("$name")
}

cmd_test() {
  local t0; t0=$(date +%s)
  setup "$FULL_EXTRAS" root-build
  # shellcheck disable=SC2046
  if is_debian_root; then apt_install $(system_packages test); fi
  mkdir -p build && rm -f build/junit-*.xml

  stage "lint: ruff and mypy on grader/ (for the host's Python 3.11 and the lab's 3.13)"
  local rc=0
  "$VENV/bin/ruff" check grader tests || rc=1
  "$VENV/bin/ruff" format --check grader || rc=1
  "$VENV/bin/mypy" grader || rc=1
  "$VENV/bin/mypy" --python-version 3.13 grader || rc=1
  [ "$rc" = 0 ] || FAILED+=("lint")
  stage_done

  run_pytest unit tests/unit -q

  stage "engine: host engine and base images (offline)"
  "$VENV/bin/docker-course" images
  stage_done

  run_pytest engine tests -q -m "engine and not slow and not browser"
  run_pytest classroom tests -q -m "slow and not browser"
  run_pytest browser tests -q -m "browser"

  "$VENV/bin/python" - "$ROOT/build" <<'PY'
import pathlib, sys, xml.etree.ElementTree as ET
tests = failures = skipped = 0
for f in sorted(pathlib.Path(sys.argv[1]).glob("junit-*.xml")):
    for suite in ET.parse(f).getroot().iter("testsuite"):
        tests += int(suite.get("tests", 0)); skipped += int(suite.get("skipped", 0))
        failures += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
print(f"\n{tests - failures - skipped} passed, {failures} failed, {skipped} skipped")
PY
  say "whole suite: $(( $(date +%s) - t0 )) s"
  if [ ${#FAILED[@]} -gt 0 ]; then say "FAILED stages: ${FAILED[*]}"; return 1; fi
}

# constraints.txt: the course's runtime dependencies resolved for the oldest Python a
# course venv has (Debian 12's 3.11.2, which course.sh's host venv may be: a pin resolved
# on a newer host can be one it cannot install), checked to resolve to the same pins for
# the lab's Python (Debian 13's 3.13), then the test tools resolved for this host against
# those pins. The lab image hashes only the runtime section: a test-tool bump leaves it.
cmd_lock() {
  if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV"; "$VENV/bin/pip" install -q --upgrade pip; fi
  local work; work=$(mktemp -d)
  "$VENV/bin/python" - "$work" <<'PY'
import json, pathlib, re, subprocess, sys, tomllib
work = pathlib.Path(sys.argv[1])
project = tomllib.loads(pathlib.Path("pyproject.toml").read_text())["project"]
lab_source = pathlib.Path("grader/engine/lab_image.py").read_text()
lab_python = re.search(r'LAB_PYTHON_VERSION = "([\d.]+)"', lab_source)[1]
oldest_python = re.search(r'HOST_PYTHON_FLOOR = "([\d.]+)"', lab_source)[1]

def resolve(requirements, *options):
    report = work / "report.json"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--dry-run", "--ignore-installed",
                    "--target", str(work / "target"), "--report", str(report), *options, *requirements], check=True)
    return {re.sub(r"[-_.]+", "-", i["metadata"]["name"]).lower(): i["metadata"]["version"]
            for i in json.loads(report.read_text())["install"]}

runtime = resolve(project["dependencies"], "--python-version", oldest_python, "--only-binary=:all:")
pins = work / "runtime.txt"
pins.write_text("".join(f"{n}=={v}\n" for n, v in sorted(runtime.items())))
in_lab = resolve(project["dependencies"], "--python-version", lab_python, "--only-binary=:all:", "-c", str(pins))
if in_lab != runtime:  # one gradebook schema on both sides: the same versions, or no lock
    sys.exit(f"the pins for Python {oldest_python} resolve differently for the lab's {lab_python}: "
             f"{sorted(set(in_lab.items()) ^ set(runtime.items()))}")
extras = project["optional-dependencies"]
host = project["dependencies"] + extras["test"] + extras.get("hub", []) + extras.get("postgres", [])
test = {n: v for n, v in resolve(host, "-c", str(pins)).items() if n not in runtime}
pathlib.Path("constraints.txt").write_text(
    "# The Python lock of the course: generated by `./course.sh lock`, read by course.sh's pip install\n"
    "# (host) and by the lab image's wheelhouse (runtime section only). Do not edit by hand.\n"
    f"# [runtime] the dependencies of pyproject.toml, resolved for Python {oldest_python} (the host's floor)\n"
    f"# and the same for the lab's Python {lab_python}\n"
    + pins.read_text()
    + "# [test] the test tools of pyproject.toml's [test] extra and the [hub] and [postgres] extras, resolved for this host\n"
    + "".join(f"{n}=={v}\n" for n, v in sorted(test.items()))
)
print(f"constraints.txt: {len(runtime)} runtime pins, {len(test)} test pins")
PY
  rm -rf "$work"
}

case "${1:-start}" in
  start) shift || true; cmd_start "$@" ;;
  test) shift; cmd_test "$@" ;;
  stop) setup "$START_EXTRAS" >/dev/null 2>&1; "$VENV/bin/docker-course" engine down ;;
  lock) cmd_lock ;;
  bench) shift; setup "$FULL_EXTRAS"; "$VENV/bin/python" bench/run_all.py "$@" ;;
  gradebook) setup "$START_EXTRAS"; if is_debian_root; then apt_install $(system_packages postgres); fi  # shellcheck disable=SC2046
    "$VENV/bin/docker-course" gradebook up ;;
  *) echo "usage: ./course.sh [start|test|stop|lock|bench|gradebook]" >&2; exit 2 ;;
esac
