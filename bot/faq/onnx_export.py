"""The sentence-transformers model exported once to ONNX, so questions are encoded by ONNX
Runtime without torch (``bot.faq.onnx_encoder``).

The export reads only the local model (the packaged one by default, ``HF_HUB_OFFLINE``): at
``make index``, or at the first start that finds no export. It traces the model's whole
pipeline (transformer, pooling, normalisation) into one graph, checks it against the torch model
on probe sentences, and for ``onnx-int8`` quantizes the matrix products' weights to int8 with
dynamic activations. It lands in ``<cache>/encoders/<model key>-<backend>-v<format>/``: the ONNX
file (protobuf, no pickle), the tokenizer as ``tokenizer.json`` and ``encoder.json`` saying how
to feed it. The model key (``bot.faq.tuning.model_key``) hashes the weights, so a changed model
gets a new export; a finished export is moved into place whole, so two replicas starting at once
never see half of one.
"""

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any, Literal

import numpy as np

from bot.faq.tuning import model_key

log = logging.getLogger(__name__)

OnnxBackend = Literal["onnx", "onnx-int8"]
MANIFEST = "encoder.json"
# Raised when the export itself changes, so every cache is exported again.
EXPORT_FORMAT = 1
# What the tokenizer gives, under the names the exported graph takes.
TOKENIZER_OUTPUTS = {
    "input_ids": "ids",
    "attention_mask": "attention_mask",
    "token_type_ids": "type_ids",
}
# A short and a long sentence in one batch, so padding and truncation are checked too.
PROBES = [
    "Får jag jobba från sommarstugan?",
    "Can I work from abroad?",
    " ".join(["Vem betalar för skrivbordsstolen när jag arbetar hemifrån"] * 60),
]
# The float export must give the torch model's vectors; int8 only roughly (make eval judges it).
MIN_PROBE_COSINE = {"onnx": 0.9999, "onnx-int8": 0.95}


class EncoderExportError(RuntimeError):
    """The model could not be exported, or the export did not give the model's vectors."""


def export_dir(cache_dir: Path, model: str, backend: OnnxBackend) -> Path:
    """Where ``model``'s export for ``backend`` is kept under ``cache_dir``."""
    key = model_key(model)
    readable = re.sub(r"[^A-Za-z0-9_.@-]+", "_", key)[-60:]
    digest = hashlib.sha256(key.encode()).hexdigest()[:8]
    return cache_dir / "encoders" / f"{readable}-{digest}-{backend}-v{EXPORT_FORMAT}"


def ensure_exported(cache_dir: Path, model: str, backend: OnnxBackend) -> Path:
    """The directory of ``model``'s export for ``backend``, exporting it first when missing."""
    target = export_dir(cache_dir, model, backend)
    if (target / MANIFEST).is_file():
        return target
    log.info("Exporting the embedding model %s to ONNX (%s) in %s", model, backend, target)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".export-", dir=target.parent))
    try:
        export(model, backend, work)
        work.chmod(0o755)  # mkdtemp's 0700 would keep the app's other users out
        try:
            work.rename(target)
        except OSError:
            # Another process finished the same export first; it is as good as this one.
            if not (target / MANIFEST).is_file():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def export(model: str, backend: OnnxBackend, directory: Path) -> None:
    """Write ``model``'s export for ``backend`` into the empty ``directory``."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from sentence_transformers import SentenceTransformer

    try:
        st = SentenceTransformer(model, device="cpu")
    except (OSError, ValueError) as error:
        raise EncoderExportError(f"Could not load the embedding model {model!r}: {error}") from None
    tokenizer = getattr(st.tokenizer, "backend_tokenizer", None)
    if tokenizer is None:
        raise EncoderExportError(f"{model!r} has no fast tokenizer; use DG_EMBEDDING_BACKEND=torch")
    probe_features = st.preprocess(PROBES)
    inputs = [name for name in probe_features if isinstance(probe_features[name], torch.Tensor)]
    if not set(inputs) <= set(TOKENIZER_OUTPUTS):
        raise EncoderExportError(
            f"{model!r} takes inputs {inputs}, not only {list(TOKENIZER_OUTPUTS)}; "
            "use DG_EMBEDDING_BACKEND=torch"
        )

    class Pipeline(torch.nn.Module):
        """The model's modules in order, from the tokenizer's tensors to the sentence vector."""

        def __init__(self) -> None:
            super().__init__()
            self.model = st

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            return self.model(dict(zip(inputs, tensors, strict=True)))["sentence_embedding"]

    float_file = directory / "model.onnx"
    # The tracer warns of shapes it takes as constants and the exporter of its age; the check
    # against torch below is what tells whether the graph holds for other lengths and batches.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # The TorchScript exporter needs nothing beyond torch; the newer one needs onnxscript.
        torch.onnx.export(
            Pipeline().eval(),
            tuple(probe_features[name] for name in inputs),
            str(float_file),
            input_names=inputs,
            output_names=["sentence_embedding"],
            dynamic_axes={name: {0: "batch", 1: "tokens"} for name in inputs}
            | {"sentence_embedding": {0: "batch"}},
            opset_version=17,
            dynamo=False,
            external_data=False,
        )
    model_file = float_file
    if backend == "onnx-int8":
        from onnxruntime.quantization import QuantType, quantize_dynamic

        model_file = directory / "model_int8.onnx"
        # Matrix products only, one scale per output channel: the word-embedding table stays
        # exact, and per-channel scales kept the vectors closest to the float model's.
        # The quantizer reports every tensor it leaves alone on the root logger at INFO.
        logging.disable(logging.INFO)
        try:
            quantize_dynamic(
                float_file,
                model_file,
                weight_type=QuantType.QInt8,
                per_channel=True,
                op_types_to_quantize=["MatMul"],
            )
        finally:
            logging.disable(logging.NOTSET)
        float_file.unlink()
    tokenizer.save(str(directory / "tokenizer.json"))
    manifest: dict[str, Any] = {
        "model": model,
        "model_key": model_key(model),
        "backend": backend,
        "file": model_file.name,
        "inputs": inputs,
        "max_seq_length": st.max_seq_length,
        "pad_token": st.tokenizer.pad_token,
        "pad_id": st.tokenizer.pad_token_id,
        "lower_case": bool(getattr(st[0], "do_lower_case", False)),
        "torch": torch.__version__,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    _check_against_torch(st, model, directory, backend)


def _check_against_torch(st: Any, model: str, directory: Path, backend: OnnxBackend) -> None:
    """Refuse an export whose vectors for ``PROBES`` differ from the torch model's."""
    from bot.faq.onnx_encoder import OnnxEncoder

    vectors = st.encode(PROBES, normalize_embeddings=True, show_progress_bar=False)
    expected = np.asarray(vectors, dtype=np.float32)
    got = OnnxEncoder(directory, threads=1).encode(PROBES)
    cosine = float((expected * got).sum(axis=1).min())
    if cosine < MIN_PROBE_COSINE[backend]:
        raise EncoderExportError(
            f"The {backend} export of {model!r} gives other "
            f"vectors than the model (cosine {cosine:.4f}); use DG_EMBEDDING_BACKEND=torch"
        )
    log.info("ONNX export (%s) checked against torch: lowest cosine %.5f", backend, cosine)
