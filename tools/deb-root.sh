# Debian 12 roots for tools/build-deb (the build root) and tools/deb-test
# (a clean root the packages are installed in). Sourced; needs $top, log, die.
#
# deb_root_make DIR       debootstrap --variant=minbase bookworm into DIR
#                         (the debootstrapped tree is kept as a tarball in
#                         FETCH_CACHE, so a second root downloads nothing
#                         more than the archive's updates)
# deb_root_run DIR CMD... run CMD as root in DIR, in a mount namespace of its
#                         own with /proc and /dev; DEB_ROOT_NET=none: also in
#                         network and UTS namespaces of its own (lo up,
#                         hostname deb-test), for daemons that must not
#                         touch the host's routes

deb_mirror=${DEB_MIRROR:-http://deb.debian.org/debian}
deb_cache=${FETCH_CACHE:-$HOME/.cache/frr-evpn-l3mh}/debian

deb_root_make() {
	local dir=$1 tar=$deb_cache/bookworm-minbase.tar
	command -v debootstrap >/dev/null || die "debootstrap is missing (tools/setup installs it)"
	rm -rf "$dir"
	mkdir -p "$dir" "$deb_cache/debootstrap"
	if [ -f "$tar" ]; then
		log "Debian 12 root in $dir (from $tar)"
		tar -C "$dir" -xf "$tar"
	else
		log "Debian 12 root in $dir (debootstrap from $deb_mirror)"
		debootstrap --variant=minbase --cache-dir="$deb_cache/debootstrap" \
			--keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
			bookworm "$dir" "$deb_mirror" >"$dir.debootstrap.log" 2>&1 ||
			die "debootstrap failed (see $dir.debootstrap.log)"
		tar -C "$dir" -cf "$tar.tmp" . && mv "$tar.tmp" "$tar"
	fi
	cat >"$dir/etc/apt/sources.list" <<-EOF
	deb $deb_mirror bookworm main
	deb $deb_mirror bookworm-updates main
	deb http://deb.debian.org/debian-security bookworm-security main
	EOF
	cp /etc/resolv.conf "$dir/etc/resolv.conf"
	# no service is started by a package's maintainer scripts
	printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
	chmod 755 "$dir/usr/sbin/policy-rc.d"
	deb_root_run "$dir" sh -c 'apt-get update -q && apt-get -y -q upgrade' \
		>"$dir.update.log" 2>&1 || die "apt-get update in $dir failed (see $dir.update.log)"
}

deb_root_run() {
	local dir=$1 net=()
	shift
	[ "${DEB_ROOT_NET:-}" = none ] && net=(--net --uts)
	DEB_ROOT_NET=${DEB_ROOT_NET:-} unshare --mount --propagation private "${net[@]}" -- sh -c '
		r=$1; shift
		[ -n "$DEB_ROOT_NET" ] && ip link set lo up && hostname deb-test
		mount -t proc proc "$r/proc"
		mount --rbind /dev "$r/dev"
		[ -n "$DEB_ROOT_NET" ] && mount -t sysfs sysfs "$r/sys"
		exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
	' sh "$dir" "$@"
}
