#!/usr/bin/env bash
# Installs Chromium from the Debian packages when it is missing, for the test that renders the
# HTML report in a headless browser (report: TestHTMLInBrowser, KSPM_CHROMIUM). Nothing is
# downloaded but Debian's packages. It never fails the test run: without root or apt-get, or
# when the install fails, it says so and the browser test skips with a message.
# Cold (nothing of Chromium installed, no package in apt's cache, package lists already read):
# 12-17 s on 2 cores, downloads included; reading the package lists first adds apt-get update's
# time. Skipped at once when a browser is there.
set -uo pipefail

for b in chromium chromium-browser; do
	if command -v "$b" >/dev/null 2>&1; then
		exit 0
	fi
done
if ! command -v apt-get >/dev/null 2>&1; then
	printf 'install-chromium: no apt-get here; the browser test will skip\n' >&2
	exit 0
fi
sudo=
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		sudo="sudo -n"
	else
		printf 'install-chromium: not root and no password-less sudo; the browser test will skip\n' >&2
		exit 0
	fi
fi
printf 'install-chromium: installing chromium from the Debian packages\n' >&2
export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1; then
	# The package lists may be missing or stale: read them once and try again.
	$sudo apt-get update -q >/dev/null 2>&1 || true
	if ! $sudo apt-get install -y -q --no-install-recommends chromium >/dev/null; then
		printf 'install-chromium: apt-get could not install chromium; the browser test will skip\n' >&2
		exit 0
	fi
fi
printf 'install-chromium: ready: %s\n' "$(command -v chromium)" >&2
