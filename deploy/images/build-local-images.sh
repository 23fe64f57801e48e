#!/usr/bin/env bash
# Builds container images without any container registry:
#
#   build-local-images.sh          the images the integration tests use:
#     syncline-local/postgres:15     PostgreSQL 15 from Debian bookworm, official-image interface
#     syncline-local/kafka:4.3.1     Kafka 4.3.1 (jars from Maven Central) on Debian's JRE 17
#   build-local-images.sh node     also the images of the three-DC compose run (deploy/compose):
#     syncline-local/node:VERSION    the Syncline node (node/target, built with Maven if missing)
#     syncline-local/prometheus      this host's Prometheus (Debian's prometheus package)
#
# A Debian root filesystem made with debootstrap (from the apt mirror this machine already
# uses) is cached as a tar and imported as the base image; the two images add their files to
# it with docker create / cp / commit, so neither a registry nor BuildKit is needed.
#
# Idempotent: an image that already exists is skipped. Run as root (debootstrap, chroot).
#
# Environment:
#   SYNCLINE_IMAGE_CACHE   cache directory (default /var/cache/syncline)
#   SYNCLINE_DEBIAN_MIRROR Debian mirror URI (default: taken from the apt sources)
#   SYNCLINE_REBUILD=1     rebuild the images even if they exist (the rootfs cache is kept)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache_dir="${SYNCLINE_IMAGE_CACHE:-/var/cache/syncline}"
suite=bookworm
# Both images share one root filesystem, so the layer is stored once.
packages=postgresql-15,openjdk-17-jre-headless
base_image="syncline-local/debian-base:${suite}"
postgres_image="syncline-local/postgres:15"
kafka_version=4.3.1
kafka_image="syncline-local/kafka:${kafka_version}"
repo_root="$(cd "$here/../.." && pwd)"
node_version=$(sed -n 's|^  <version>\(.*\)</version>|\1|p' "$repo_root/pom.xml" | head -n 1)
node_image="syncline-local/node:${node_version}"
prometheus_image="syncline-local/prometheus"
rootfs_tar="${cache_dir}/rootfs-${suite}-$(printf '%s' "$packages" | sha256sum | cut -c1-8).tar"

log() { printf '[build-local-images] %s\n' "$*" >&2; }

# Runs "$@" and reports its wall time under the label $1.
timed() {
  local label=$1 start end
  shift
  start=$(date +%s.%N)
  "$@"
  end=$(date +%s.%N)
  log "$(awk -v l="$label" -v s="$start" -v e="$end" 'BEGIN { printf "%-32s %6.1f s", l, e - s }')"
}

image_exists() {
  [[ "${SYNCLINE_REBUILD:-0}" != 1 ]] && docker image inspect "$1" >/dev/null 2>&1
}

# The URI of the configured Debian archive that serves $suite itself (not -security or
# -updates): deb822 *.sources first, then one-line sources.list entries.
apt_mirror() {
  local f uri
  shopt -s nullglob
  for f in /etc/apt/sources.list.d/*.sources; do
    uri=$(awk -v suite="$suite" '
      BEGIN { RS = ""; FS = "\n" }
      {
        u = ""; s = 0; t = 0; off = 0
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/) { split($i, a, /[ \t]+/); u = a[2] }
          if ($i ~ /^Suites:/ && (" " substr($i, 8) " ") ~ ("[ \t]" suite "[ \t]")) s = 1
          if ($i ~ /^Types:/ && ($i " ") ~ /[ \t]deb[ \t]/) t = 1
          if ($i ~ /^Enabled:[ \t]*no/) off = 1
        }
        if (u != "" && s && t && !off) { print u; exit }
      }' "$f")
    [[ -n "$uri" ]] && { echo "$uri"; return; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f "$f" ]] || continue
    uri=$(awk -v suite="$suite" '
      $1 == "deb" {
        i = 2
        if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
        if ($(i + 1) == suite) { print $i; exit }
      }' "$f")
    [[ -n "$uri" ]] && { echo "$uri"; return; }
  done
  return 1
}

make_rootfs() {
  local mirror target
  mirror="${SYNCLINE_DEBIAN_MIRROR:-$(apt_mirror)}" || {
    log "no Debian '${suite}' archive found in /etc/apt/sources.list*; set SYNCLINE_DEBIAN_MIRROR"
    exit 1
  }
  command -v debootstrap >/dev/null || {
    log "debootstrap is missing: apt-get install -y debootstrap"
    exit 1
  }
  mkdir -p "$cache_dir"
  target=$(mktemp -d "${cache_dir}/rootfs.XXXXXX")
  log "debootstrap ${suite} from ${mirror} with ${packages}"
  debootstrap --variant=minbase --include="$packages" "$suite" "$target" "$mirror" \
    >"${cache_dir}/debootstrap.log" 2>&1 || {
    tail -n 30 "${cache_dir}/debootstrap.log" >&2
    rm -rf "$target"
    exit 1
  }
  # The package's post-install creates a cluster "main"; the images run initdb themselves.
  rm -rf "$target"/etc/postgresql/15/main "$target"/var/lib/postgresql/15/main
  chroot "$target" useradd --system --uid 1000 --user-group --no-create-home \
    --home-dir /opt/kafka --shell /usr/sbin/nologin kafka
  rm -rf "$target"/var/cache/apt/archives/*.deb "$target"/var/lib/apt/lists/* \
    "$target"/usr/share/doc/* "$target"/usr/share/man/* "$target"/tmp/*
  tar --numeric-owner -C "$target" -cf "${rootfs_tar}.part" .
  mv "${rootfs_tar}.part" "$rootfs_tar"
  rm -rf "$target"
}

import_base() {
  docker import --change 'CMD ["/bin/bash"]' "$rootfs_tar" "$base_image" >/dev/null
}

# commit_image IMAGE SRC:DEST... -- CHANGE...: a container of the base image, the files
# copied in, committed with the given Dockerfile-style changes.
commit_image() {
  local image=$1 cid arg
  shift
  cid=$(docker create --entrypoint /bin/true "$base_image")
  # shellcheck disable=SC2064 # the id is meant to be expanded now
  trap "docker rm -f $cid >/dev/null 2>&1" RETURN
  while [[ $# -gt 0 && "$1" != -- ]]; do
    docker cp "${1%%:*}" "${cid}:${1#*:}"
    shift
  done
  shift
  local changes=()
  for arg in "$@"; do changes+=(--change "$arg"); done
  docker commit "${changes[@]}" "$cid" "$image" >/dev/null
}

build_postgres() {
  chmod 0755 "$here/postgres/docker-entrypoint.sh"
  commit_image "$postgres_image" \
    "$here/postgres/docker-entrypoint.sh:/usr/local/bin/docker-entrypoint.sh" \
    -- \
    'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    'ENV PGDATA=/var/lib/postgresql/data' \
    'ENV LANG=C.UTF-8' \
    'ENTRYPOINT ["docker-entrypoint.sh"]' \
    'CMD ["postgres"]' \
    'EXPOSE 5432'
}

kafka_jars() {
  local stage=$1
  mkdir -p "$stage/opt/kafka/libs" "$stage/opt/kafka/config" "$stage/etc/kafka/docker"
  mvn -B -q -Dstyle.color=never -f "$here/kafka/pom.xml" \
    dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$stage/opt/kafka/libs" >"$stage/mvn.log" 2>&1 || {
    cat "$stage/mvn.log" >&2
    return 1
  }
  rm -f "$stage/mvn.log"
}

build_kafka() {
  local stage
  stage=$(mktemp -d)
  chmod 0755 "$stage"
  timed "kafka jars (maven)" kafka_jars "$stage"
  cp "$here/kafka/logback.xml" "$stage/opt/kafka/config/logback.xml"
  install -m 0755 "$here/kafka/run" "$stage/etc/kafka/docker/run"
  chmod -R a+rX "$stage"
  commit_image "$kafka_image" \
    "$stage/opt/kafka:/opt/kafka" \
    "$stage/etc/kafka:/etc/kafka" \
    -- \
    'ENV LANG=C.UTF-8' \
    "ENV KAFKA_VERSION=${kafka_version}" \
    'ENTRYPOINT ["/etc/kafka/docker/run"]' \
    'EXPOSE 9092' \
    'WORKDIR /opt/kafka'
  rm -rf "$stage"
}

# The node image always holds the jars of this checkout: it is rebuilt on every call.
build_node() {
  local stage
  if [[ ! -f "$repo_root/node/target/syncline-node.jar" || ! -d "$repo_root/node/target/lib" ]]; then
    log "node/target has no jar: building it with Maven"
    (cd "$repo_root" && mvn -B -q -Dstyle.color=never -DskipTests -pl node -am package) >&2
  fi
  stage=$(mktemp -d)
  chmod 0755 "$stage"
  mkdir -p "$stage/opt/syncline"
  cp "$repo_root/node/target/syncline-node.jar" "$stage/opt/syncline/"
  cp -r "$repo_root/node/target/lib" "$stage/opt/syncline/lib"
  install -m 0755 "$here/node/syncline" "$stage/syncline"
  chmod -R a+rX "$stage"
  commit_image "$node_image" \
    "$stage/opt/syncline:/opt/syncline" \
    "$stage/syncline:/usr/local/bin/syncline" \
    -- \
    'ENV LANG=C.UTF-8' \
    'USER 65534:65534' \
    'ENTRYPOINT ["/usr/local/bin/syncline"]' \
    'CMD ["--help"]'
  rm -rf "$stage"
}

build_prometheus() {
  local binary
  binary=$(command -v prometheus) || {
    log "prometheus is missing: apt-get install -y prometheus"
    return 1
  }
  commit_image "$prometheus_image" \
    "$binary:/usr/local/bin/prometheus" \
    -- \
    'USER 65534:65534' \
    'WORKDIR /tmp' \
    'ENTRYPOINT ["/usr/local/bin/prometheus"]' \
    'EXPOSE 9090'
}

main() {
  local total_start=$SECONDS
  docker info >/dev/null 2>&1 || { log "docker does not answer"; exit 1; }

  if image_exists "$postgres_image" && image_exists "$kafka_image"; then
    log "${postgres_image} and ${kafka_image} exist, nothing to do"
  else
    if docker image inspect "$base_image" >/dev/null 2>&1; then
      log "${base_image} exists"
    else
      if [[ -f "$rootfs_tar" ]]; then
        log "cached root filesystem ${rootfs_tar}"
      else
        timed "debootstrap rootfs" make_rootfs
      fi
      timed "docker import base" import_base
    fi
    if image_exists "$postgres_image"; then
      log "${postgres_image} exists"
    else
      timed "image ${postgres_image}" build_postgres
    fi
    if image_exists "$kafka_image"; then
      log "${kafka_image} exists"
    else
      timed "image ${kafka_image}" build_kafka
    fi
  fi
  if [[ "${1:-}" == node ]]; then
    timed "image ${node_image}" build_node
    if image_exists "$prometheus_image"; then
      log "${prometheus_image} exists"
    else
      timed "image ${prometheus_image}" build_prometheus
    fi
  fi
  log "total $((SECONDS - total_start)) s"
  [[ "${1:-}" == node ]] && return 0
  cat >&2 <<EOF
[build-local-images] use them with
  export SYNCLINE_IT_POSTGRES_IMAGE=${postgres_image}
  export SYNCLINE_IT_KAFKA_IMAGE=${kafka_image}
  export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=localhost
or -Dsyncline.it.postgres.image=${postgres_image} -Dsyncline.it.kafka.image=${kafka_image}
EOF
}

main "$@"
