#!/usr/bin/env bash
# Enforces the one-way module dependencies of docs/architecture.md: every `import` in
# Sources/<Module> must be in that module's allowed list.
set -euo pipefail
cd "$(dirname "$0")/.."
declare -A allowed=(
  [MRICore]="Foundation CFFTW COpenBLAS CKernels"
  [MRIIO]="Foundation FoundationXML MRICore CHDF5 DCMTKShim ISMRMRDShim PNGShim"
  [PACS]="Foundation MRIIO DCMTKShim CurlShim"
  [Cluster]="Foundation"
  [MRIAcquisition]="Foundation MRICore"
  [MRIPipeline]="Foundation Crypto MRICore MRIIO PACS Cluster MRIAcquisition NeuralPrior DAPS MRIPreview"
  [MRIPreview]="Foundation"
  [Benchmarks]="Foundation MRIPipeline MRICore MRIIO MRIAcquisition NeuralPrior DAPS"
  [mri-daps]="Foundation ArgumentParser MRIPipeline Benchmarks"
  [mri-daps-fuzz]="Foundation MRICore MRIIO NeuralPrior MRIPipeline"
  [NeuralPrior]="Foundation Synchronization MRICore CKernels"
  [DAPS]="Foundation MRICore"
  [_TestSupport]="Foundation MRICore"
)
status=0
for m in "${!allowed[@]}"; do
  while IFS= read -r line; do
    mod=$(sed -E 's/^import[[:space:]]+([A-Za-z0-9_]+).*/\1/' <<<"${line#*:}")
    if [[ " ${allowed[$m]} " != *" $mod "* ]]; then
      echo "import check: Sources/$m may not import $mod (${line%%:*})"
      status=1
    fi
  done < <(grep -rH --include='*.swift' -E '^import[[:space:]]' "Sources/$m" || true)
done
[[ $status -eq 0 ]] && echo "import check: module dependencies OK"
exit $status
