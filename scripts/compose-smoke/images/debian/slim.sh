#!/usr/bin/env bash
# Stand-in for debian:bookworm-slim: a minbase bookworm root file system from Debian's own
# packages (debootstrap), trimmed the way the official slim variant is (no docs, man pages or
# translations, and a dpkg filter that keeps later installs from adding them back), then
# imported as an image.
#   slim.sh <image-name> <mirror> <work-dir>
set -euo pipefail
image=$1 mirror=$2 work=$3
rootfs="$work/rootfs"
rm -rf "$rootfs"
mkdir -p "$work"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" > "$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; exit 1; }

# The same suites as the official image (bookworm, bookworm-updates, security).
security=${mirror%/debian}/debian-security
cat > "$rootfs/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
rm -f "$rootfs/etc/apt/sources.list"

cat > "$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'DPKG'
# as in the official slim images: no documentation or translations
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
DPKG
cat > "$rootfs/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
cat > "$rootfs/etc/apt/apt.conf.d/docker-no-recommends" <<'APT'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
APT

find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$rootfs/usr/share/man"/* "$rootfs/usr/share/info"/* "$rootfs/usr/share/groff"/* "$rootfs/usr/share/lintian"/*
find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
rm -rf "$rootfs/var/lib/apt/lists"/* "$rootfs/var/cache/apt"/*.bin "$rootfs/var/cache/apt/archives"/*.deb "$rootfs/var/log"/*.log "$rootfs/var/log/apt"/*
: > "$rootfs/etc/hostname"
: > "$rootfs/etc/resolv.conf"

tar --numeric-owner -C "$rootfs" -c . | docker import \
  --change 'CMD ["bash"]' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'LABEL org.opencontainers.image.description="stand-in for debian:bookworm-slim built by scripts/compose-smoke"' \
  - "$image" > /dev/null
rm -rf "$rootfs"
