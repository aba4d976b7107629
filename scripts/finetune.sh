#!/usr/bin/env bash
# Retrain quickly after a small change to the training examples: finetune the newest model in models/ instead of
# training from scratch. Only for changes that keep every label (no new or renamed intent, entity, slot, form or
# action, and the same config.yml); Rasa refuses otherwise, and this script then trains from scratch.
#
#   ./scripts/finetune.sh             # EPOCH_FRACTION=0.25: a quarter of config.yml's epochs
#
# A finetuned model drifts from what a full training would give; CI and releases train from scratch
# (./scripts/setup.sh). Rules, stories and response wording need neither: `rasa train` (./scripts/setup.sh) takes
# the language understanding from Rasa's cache (.rasa/cache) and retrains only the dialogue policy.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mkdir -p "$ROOT/var" "$ROOT/models"
ensure_environment
newest="$(ls -t "$ROOT"/models/*.tar.gz 2>/dev/null | head -n 1 || true)"
if [ -z "$newest" ]; then
  echo "No model in models/ to finetune: training from scratch" >&2
  ensure_model
  exit 0
fi
echo "==> Finetuning $(basename "$newest") with ${EPOCH_FRACTION:-0.25} of the epochs"
if ! (cd "$ROOT" && "$VENV/bin/rasa" train --finetune "$newest" --epoch-fraction "${EPOCH_FRACTION:-0.25}" \
      --out models --fixed-model-name council-assistant --quiet >"$ROOT/var/finetune.log" 2>&1); then
  tail -n 5 "$ROOT/var/finetune.log" >&2
  echo "Finetuning was refused (labels or config changed?): training from scratch" >&2
  ensure_model
fi
grep -E "Your Rasa model is trained" "$ROOT/var/finetune.log" | sed 's/\x1b\[[0-9;]*m//g' || true
