#!/usr/bin/env bash
# What the browser tests need from Debian: Chromium and a Korean font.
# Installs them when missing and this user can (root, or sudo without a password);
# otherwise stops with the one command to run. `make test` calls this first.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
fc-list :lang=ko family 2>/dev/null | grep -q . || need+=(fonts-noto-cjk)
[ ${#need[@]} -eq 0 ] && exit 0
echo "브라우저 시험에 필요한 패키지 설치: ${need[*]}" >&2
if [ "$(id -u)" = 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "설치할 권한이 없습니다. 다음 명령을 실행한 뒤 다시 시도하세요:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
"${SUDO[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
