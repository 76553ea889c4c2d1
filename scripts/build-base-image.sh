#!/usr/bin/env bash
# Build a minimal Debian bookworm + Python 3.11 base image locally and import it
# into podman as localhost/powerdesk-python:3.11-slim.
#
# Why: on machines without access to a container registry we cannot pull
# python:3.11-slim, but we can reach a Debian apt mirror. debootstrap gives us an
# equivalent rootfs (python3 is 3.11 in bookworm), which `podman import` turns into
# an image the Dockerfile can use via --build-arg BASE_IMAGE=...
#
# Usage: bash scripts/build-base-image.sh [--force]
#   DEBIAN_MIRROR   apt mirror to debootstrap from (default: first URI of the host's
#                   Debian sources, else http://deb.debian.org/debian)
#   DEBIAN_SECURITY_MIRROR  security mirror written into the image's sources
#   BASE_IMAGE      image name (default localhost/powerdesk-python:3.11-slim)
set -euo pipefail

IMAGE="${BASE_IMAGE:-localhost/powerdesk-python:3.11-slim}"
SUITE=bookworm
FORCE=0

for arg in "$@"; do
    case "$arg" in
        --force) FORCE=1 ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) echo "unknown argument: $arg" >&2; exit 2 ;;
    esac
done

log() { printf '[build-base-image] %s\n' "$*" >&2; }

if [[ $EUID -ne 0 ]]; then
    echo "debootstrap needs root; re-run with sudo" >&2
    exit 1
fi
for tool in podman debootstrap; do
    command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y podman crun runc debootstrap" >&2; exit 1; }
done

if [[ $FORCE -eq 0 ]] && podman image exists "$IMAGE"; then
    log "$IMAGE already exists (use --force to rebuild)"
    exit 0
fi

# Use the same mirror the host's apt uses: that is the one known to be reachable.
host_mirror() {
    local uri=""
    if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
        uri=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
    fi
    if [[ -z "$uri" && -f /etc/apt/sources.list ]]; then
        uri=$(awk '/^deb / && $0 ~ / bookworm / && $0 !~ /security/ {for (i=2;i<=NF;i++) if ($i ~ /^https?:/) {print $i; exit}}' /etc/apt/sources.list)
    fi
    echo "${uri:-http://deb.debian.org/debian}"
}
MIRROR="${DEBIAN_MIRROR:-$(host_mirror)}"
SECURITY_MIRROR="${DEBIAN_SECURITY_MIRROR:-${MIRROR%/debian}/debian-security}"

WORK=$(mktemp -d /var/tmp/powerdesk-rootfs.XXXXXX)
cleanup() { rm -rf --one-file-system "$WORK"; }
trap cleanup EXIT
ROOTFS="$WORK/rootfs"

log "debootstrap $SUITE from $MIRROR into $ROOTFS"
# debootstrap downloads with wget, so an http_proxy/https_proxy in the
# environment is honoured; apt.conf proxies are not (export http_proxy instead).
debootstrap --variant=minbase \
    --include=python3,python3-venv,ca-certificates,curl \
    "$SUITE" "$ROOTFS" "$MIRROR"

log "configuring rootfs"
cat > "$ROOTFS/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
EOF
# Keep the image small if someone apt-installs on top of it (as the official
# Debian images do).
cat > "$ROOTFS/etc/apt/apt.conf.d/90powerdesk-slim" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
EOF
cat > "$ROOTFS/etc/dpkg/dpkg.cfg.d/90powerdesk-nodoc" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
EOF

log "slimming rootfs"
chroot "$ROOTFS" apt-get clean
rm -rf "$ROOTFS"/var/lib/apt/lists/* \
       "$ROOTFS"/var/cache/apt/*.bin \
       "$ROOTFS"/var/cache/debconf/*-old \
       "$ROOTFS"/var/lib/dpkg/*-old \
       "$ROOTFS"/var/log/* \
       "$ROOTFS"/tmp/* "$ROOTFS"/var/tmp/*
find "$ROOTFS/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
find "$ROOTFS/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
rm -rf "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/* "$ROOTFS"/usr/share/lintian
find "$ROOTFS/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} + 2>/dev/null || true
find "$ROOTFS/usr/lib/python3" "$ROOTFS/usr/lib/python3.11" -name '__pycache__' -type d -prune -exec rm -rf {} + 2>/dev/null || true
# The container runtime provides these.
rm -rf "${ROOTFS:?}"/dev/* "${ROOTFS:?}"/proc/* "${ROOTFS:?}"/sys/* "${ROOTFS:?}"/run/*
: > "$ROOTFS/etc/hostname"
: > "$ROOTFS/etc/resolv.conf"
rm -f "$ROOTFS/etc/machine-id" && : > "$ROOTFS/etc/machine-id"

"$ROOTFS/usr/bin/python3" --version >&2 2>/dev/null || chroot "$ROOTFS" python3 --version >&2

log "importing as $IMAGE"
podman image rm -f "$IMAGE" >/dev/null 2>&1 || true
tar --numeric-owner --xattrs -C "$ROOTFS" -cf - . | podman import \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["python3"]' \
    --message "debootstrap $SUITE minbase + python3 python3-venv ca-certificates curl" \
    - "$IMAGE" >/dev/null

podman image ls "$IMAGE" >&2
log "done"
