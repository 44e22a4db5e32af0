# Sourced by bin/scm and bin/test: selects a JDK >= 25 without any manual step.
# Order: $JAVA_HOME if it is >= 25, then /usr/lib/jvm/*, then `java` on PATH.
scm_java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'; }
scm_find_jdk() {
  local c
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/* "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")"; do
    [ -n "$c" ] && [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    local m; m=$(scm_java_major "$c")
    if [ -n "$m" ] && [ "$m" -ge 25 ]; then echo "$c"; return 0; fi
  done
  return 1
}
if ! SCM_JDK=$(scm_find_jdk); then
  echo "scm-java needs a JDK 25 or newer (javac included). None found in \$JAVA_HOME, /usr/lib/jvm/* or on PATH." >&2
  echo "Install one (e.g. Temurin 25) or point JAVA_HOME at it." >&2
  exit 3
fi
export JAVA_HOME="$SCM_JDK"
export PATH="$JAVA_HOME/bin:$PATH"
# Maven's bundled guava prints sun.misc.Unsafe warnings on JDK 25; they are harmless.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
