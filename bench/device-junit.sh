#!/usr/bin/env bash
# The JUnit tests on the device machine, which has no Maven (docs/gpu.md, section 2, "On the GPU, JUnit").
#
#   bash bench/device-junit.sh prepare            here: test classes (-Ptornado), JUnit's console launcher and
#                                                 QuickTheories into .devrun/test/ (ignored; carry .devrun)
#   bash bench/device-junit.sh run NAME REGEX [java options...]
#                                                 there: the test classes whose names match REGEX, through the device
#                                                 runner .devrun/run.sh (section 3) and the jars in .devrun/app/;
#                                                 the tree of results in $OUT/NAME.txt (or ./NAME.txt), a summary here
#
# Two traps this script avoids: the test classes go on the JVM's class path, not the launcher's own -cp (from the
# launcher's class loader the tests cannot call our package-private methods: IllegalAccessError), and nothing stops a run
# with a time limit (TornadoVM's shutdown hook destroys the CUDA context under the running test: CUDA error 709). Split
# long suites into several runs by REGEX instead.
set -euo pipefail
cd "$(dirname "$0")/.."
LAUNCHER_VERSION=1.14.4   # the JUnit Platform of JUnit 5.14.4 (pom.xml)
T=.devrun/test

case "${1:-}" in
prepare)
    [ -n "${TORNADOVM_HOME:-}" ] || { echo "device-junit: set TORNADOVM_HOME to the SDK (docs/gpu.md, section 1)" >&2; exit 2; }
    . bin/jdk.sh
    mvn -B -q -Ptornado -pl reference,accelerated,properties -am test-compile
    mvn -B -q dependency:get -Dartifact=org.junit.platform:junit-platform-console-standalone:$LAUNCHER_VERSION
    repo="${MAVEN_REPO:-$HOME/.m2/repository}"   # Maven's local repository (MAVEN_REPO if it is elsewhere)
    qt="$(sed -n 's:.*<quicktheories.version>\(.*\)</quicktheories.version>.*:\1:p' pom.xml)"
    rm -rf "$T" && mkdir -p "$T/lib"
    cp -r accelerated/target/test-classes "$T/accel-tests"
    cp -r properties/target/test-classes "$T/prop-tests"
    cp "$repo/org/junit/platform/junit-platform-console-standalone/$LAUNCHER_VERSION/junit-platform-console-standalone-$LAUNCHER_VERSION.jar" \
       "$repo/org/quicktheories/quicktheories/$qt/quicktheories-$qt.jar" "$T/lib/"
    echo "device-junit: $(du -sh "$T" | cut -f1) in $T; the jars of section 3 go in .devrun/app/"
    ;;
run)
    [ $# -ge 3 ] || { echo "usage: bash bench/device-junit.sh run NAME REGEX [java options...]" >&2; exit 2; }
    name="$2" regex="$3"; shift 3
    out="${OUT:-.}/$name.txt"
    set +e
    bash .devrun/run.sh -Xss8m -Xmx48g --add-modules jdk.incubator.vector "$@" \
        -cp "$T/lib/*:.devrun/app/*:$T/accel-tests:$T/prop-tests" org.junit.platform.console.ConsoleLauncher execute \
        --disable-banner --details=tree --scan-classpath "$T/accel-tests:$T/prop-tests" \
        --include-classname "$regex" > "$out" 2>&1
    rc=$?
    set -e
    echo "device-junit $name: rc $rc"
    grep -E "tests (found|successful|failed|aborted|skipped)" "$out" || true
    sed 's/\x1b\[[0-9;]*m//g' "$out" | grep -E "✘" | head -30 || true
    exit $rc
    ;;
*)
    echo "usage: bash bench/device-junit.sh prepare | run NAME REGEX [java options...]" >&2
    exit 2
    ;;
esac
