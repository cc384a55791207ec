#!/usr/bin/env bash
# One-command set-up: Debian packages, then a release build of mri-daps.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/setup-training-venv.sh
swift build -c release
echo "built: $(swift build -c release --show-bin-path)/mri-daps"
