# Pinned versions of everything fetched from Debian's archive.
#
# A pinned Debian revision may leave the archive (a point release or a
# security update replaces it). tools/fetch-sources then takes the newest
# revision of the same upstream version, checks its upstream tarball against
# tools/sources.sha256 and says so loudly; only a missing upstream version
# stops the build.
DEBIAN_SUITE=trixie
FRR_DEB_VERSION=10.3-3+deb13u1
FRR_UPSTREAM_VERSION=10.3
LIBYANG_DEB_VERSION=3.12.2-1
LIBYANG_UPSTREAM_VERSION=3.12.2
# The lab's user-mode-linux kernel: Debian's `linux` source package (only its
# upstream tarball is used), see doc/developer/lab.rst for the choice.
LINUX_SUITE=trixie-backports
LINUX_DEB_VERSION=7.2.12-1~bpo13+1
LINUX_UPSTREAM_VERSION=7.2.12
# The Debian packages' revision of the project (tools/build-deb): frr
# FRR_DEB_VERSION+l3mhN~deb12u1, libyang LIBYANG_DEB_VERSION~deb12u1+l3mhN.
L3MH_DEB_REVISION=1
