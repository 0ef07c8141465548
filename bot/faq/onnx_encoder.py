"""Questions encoded by ONNX Runtime from the model's export (``bot.faq.onnx_export``).

For one short question it costs a third of sentence-transformers' CPU on torch (README, Speed
and capacity), and the float export gives the same vectors. Nothing here imports torch.
"""

import json
from pathlib import Path

import numpy as np

from bot.faq.onnx_export import MANIFEST, TOKENIZER_OUTPUTS

BATCH_SIZE = 32


class OnnxEncoder:
    """Normalised sentence vectors from an export directory, on ``threads`` CPU threads."""

    def __init__(self, directory: Path, threads: int = 1) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        self.name: str = manifest["model"]
        self.backend: str = manifest["backend"]
        self._lower_case = bool(manifest["lower_case"])
        self._tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        # The saved tokenizer may pad every text to a fixed length; the model pads a batch to
        # its longest text and cuts at its own maximum, and so does this.
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(int(manifest["max_seq_length"]))
        self._tokenizer.enable_padding(pad_id=manifest["pad_id"], pad_token=manifest["pad_token"])
        self._inputs: list[str] = manifest["inputs"]
        options = ort.SessionOptions()
        # Encoding runs in the app's worker threads, one question each: threads of its own
        # beyond DG_ENCODER_THREADS would only compete with those and with Rasa for two cores,
        # and spinning ones would burn CPU between questions.
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        self._session = ort.InferenceSession(
            str(directory / manifest["file"]), options, providers=["CPUExecutionProvider"]
        )

    def encode(self, texts: list[str]) -> np.ndarray:
        """Normalised embeddings, shape ``(len(texts), dim)``."""
        batches = [
            self._encode_batch(texts[start : start + BATCH_SIZE])
            for start in range(0, len(texts), BATCH_SIZE)
        ]
        return np.concatenate(batches) if batches else np.zeros((0, 0), dtype=np.float32)

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        if self._lower_case:
            texts = [text.lower() for text in texts]
        # One question (a chat turn) is tokenized here; only a batch goes to the tokenizer's
        # own thread pool.
        encodings = (
            [self._tokenizer.encode(texts[0])]
            if len(texts) == 1
            else self._tokenizer.encode_batch(texts)
        )
        feed = {
            name: np.array([getattr(e, TOKENIZER_OUTPUTS[name]) for e in encodings], dtype=np.int64)
            for name in self._inputs
        }
        vectors = np.asarray(self._session.run(None, feed)[0], dtype=np.float32)
        # The graph normalises when the model does; int8 rounding leaves the norm a hair off 1.
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)
