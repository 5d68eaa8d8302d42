"""inputs.py - deterministic inputs of the overhead table: a text corpus, DNA sequences, a POV-Ray scene, postmark configurations."""
import hashlib
import os
import random


def _write_once(path, make):
    """Writes make() to path unless it exists (same bytes every time: fixed seeds)."""
    if not os.path.exists(path):
        with open(path + ".tmp", "wb") as f:
            f.write(make())
        os.replace(path + ".tmp", path)
    return path


def corpus(data, mib):
    """mib MiB of English-like text: words of a synthetic vocabulary, Zipf-distributed, in
    sentences and lines, with numbers; compressible like prose (gzip about 3:1)."""
    def make():
        rng = random.Random(20261206)
        syll = ["ka", "ri", "to", "ne", "sa", "lu", "mo", "de", "vi", "po", "ran", "tel", "sto",
                "mer", "qua", "bri", "ol", "en", "ath", "ing", "est", "ly", "ion", "ous"]
        vocab = ["".join(rng.choice(syll) for _ in range(rng.randint(1, 4))) for _ in range(5000)]
        weights = [1 / (rank + 1) for rank in range(len(vocab))]
        out, size, line = [], 0, []
        while size < mib << 20:
            words = rng.choices(vocab, cum_weights=None, weights=weights, k=rng.randint(5, 18))
            words[0] = words[0].capitalize()
            if rng.random() < 0.2:
                words.insert(rng.randrange(len(words)), str(rng.randrange(100000)))
            sentence = " ".join(words) + rng.choice([".", ".", ".", "?", "!", ","])
            line.append(sentence)
            if len(line) >= rng.randint(1, 4):
                text = " ".join(line) + "\n"
                out.append(text)
                size += len(text)
                line = []
        return "".join(out).encode()[:mib << 20]
    return _write_once(os.path.join(data, "corpus-%dM.txt" % mib), make)


def sequences(data, count, length):
    """count DNA sequences of about length bases in FASTA, mutated copies (substitutions,
    insertions, deletions) of one random ancestor, as mafft aligns them."""
    def make():
        rng = random.Random(1700)
        ancestor = [rng.choice("ACGT") for _ in range(length)]
        out = []
        for i in range(count):
            seq = []
            for base in ancestor:
                r = rng.random()
                if r < 0.08:
                    seq.append(rng.choice("ACGT"))
                elif r < 0.10:
                    continue
                elif r < 0.12:
                    seq += [base, rng.choice("ACGT")]
                else:
                    seq.append(base)
            s = "".join(seq)
            out.append(">seq%03d\n" % i + "\n".join(s[j:j + 60] for j in range(0, len(s), 60)) + "\n")
        return "".join(out).encode()
    return _write_once(os.path.join(data, "seqs-%d-%d.fa" % (count, length)), make)


SCENE = b"""// A short scene: reflective and textured spheres on a checkered plane, two lights, area shadows.
global_settings { assumed_gamma 1.0 }
camera { location <0, 3, -8> look_at <0, 0.8, 0> angle 45 }
light_source { <-6, 10, -6> color rgb 1 area_light <2, 0, 0>, <0, 0, 2>, 4, 4 adaptive 1 jitter }
light_source { <8, 6, -4> color rgb 0.4 }
plane { y, 0 pigment { checker color rgb 0.9 color rgb 0.1 scale 0.8 } finish { reflection 0.2 } }
#declare I = 0;
#while (I < 12)
  sphere { <3 * cos(I * pi / 6), 0.5 + 0.2 * mod(I, 3), 3 * sin(I * pi / 6)>, 0.5
    pigment { color rgb <mod(I, 2), mod(I, 3) / 2, 1 - mod(I, 4) / 3> }
    finish { phong 0.8 reflection 0.3 } }
  #declare I = I + 1;
#end
sphere { <0, 1.2, 0>, 1.2 pigment { color rgbf <0.9, 0.95, 1, 0.8> }
  finish { reflection 0.1 phong 1 } interior { ior 1.5 } }
"""


def scene(data):
    return _write_once(os.path.join(data, "scene.pov"), lambda: SCENE)


def postmark_config(data, name, location, files, transactions):
    """A postmark configuration (it reads its commands from this file) working under location."""
    text = ("set location %s\nset number %d\nset transactions %d\nset size 500 10000\n"
            "set seed 42\nset buffering false\nrun\nquit\n" % (location, files, transactions))
    path = os.path.join(data, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
