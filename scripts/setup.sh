#!/usr/bin/env bash
# Create the environment, build the spaCy pipeline and train the model (each only when needed).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mkdir -p "$ROOT/var" "$ROOT/models"
ensure_environment
ensure_model
