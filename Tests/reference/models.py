#!/usr/bin/env python3
"""An independent NumPy (float64) implementation of ablate's models, written from docs/models.md and
docs/checkpoints.md, to check `ablate predict --json` against, as llm.c's test_gpt2.c checks its
logits against a reference. GoldenModelTests runs it; it needs numpy and safetensors.

    models.py predict CHECKPOINT --input "3 1 4" [--steps K] [--wrong NAME ...]
        greedy decoding as `ablate predict --json` does it: prints {"input", "output", "logits"}.

    models.py evaluate MANIFEST [--wrong NAME ...]
        MANIFEST is JSON: {"cases": [{"checkpoint", "input", "steps", "follow"}]}. Prints
        {"cases": [{"output", "logits"}]} in the same order. With "follow" (a token list, e.g. the
        tokens ablate chose), step k reads follow[k-1] as its previous token instead of its own
        argmax, so a near-tie that rounding breaks the other way does not derail the later steps;
        "output" is still each step's own argmax.

    models.py write-random SPEC
        SPEC is JSON: {"checkpoints": [{"path", "config", "seed"}]}. Writes each checkpoint with
        random float32 weights under the documented tensor names, and the config in the metadata.

--wrong NAME swaps one convention for a common alternative that ablate does not use, so that a test
can check that the comparison notices it (the names are the keys of WRONG below).
"""
import argparse
import json
import math
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import save_file

# Conventions a reimplementation could plausibly get wrong; --wrong NAME turns one on.
WRONG = {
    "gelu": "the other GELU: tanh where the exact one is meant, and the exact one for gelu_tanh",
    "rope": "RoPE rotates GPT-NeoX's halves (column k with k + D/2), not adjacent pairs",
    "variance": "layer norm divides by C - 1 (the unbiased variance)",
    "sinusoidal": "sinusoids concatenated (all sines, then all cosines), not interleaved",
    "alibi": "ALiBi slopes 2^(-8 (h+1) / H) for any H, not the paper's rule for H not a power of two",
    "timing": "Luong's timing for dot and general attention: score the current state s_t",
    "gru": "Cho et al.'s GRU candidate, tanh(W_in x + b_in + W_hn (r * h) + b_hn)",
    "tied": "tied output embedding multiplied by sqrt(d_model)",
}
wrong = set()

# Every key's default, from docs/experiment-file.md (a stored config may leave keys out).
TRANSFORMER_DEFAULTS = {
    "layout": "encoder-decoder", "classes": 2, "d_model": 64, "heads": 4, "encoder_layers": 2,
    "decoder_layers": 2, "d_ff": 256, "feed_forward": True, "activation": "relu",
    "positional": "sinusoidal", "max_length": 512, "attention_scale": "sqrt_dk", "causal_mask": True,
    "residual": True, "norm": "post", "dropout": 0, "tied_embeddings": False, "bias": True,
    "scale_embeddings": True,
}
RNN_DEFAULTS = {
    "cell": "gru", "attention": "additive", "embedding": 64, "hidden": 128, "layers": 1,
    "bidirectional": False, "attention_size": 128, "dropout": 0,
}


def resolve(config):
    """The config with every default filled in."""
    config = dict(config)
    arch = config.setdefault("arch", "transformer")
    for key, value in (TRANSFORMER_DEFAULTS if arch == "transformer" else RNN_DEFAULTS).items():
        config.setdefault(key, value)
    return config


def load(path):
    """(config, {name: float64 array}) of a checkpoint."""
    with safe_open(path, framework="numpy") as f:
        config = resolve(json.loads(f.metadata()["config"]))
        params = {name: f.get_tensor(name).astype(np.float64) for name in f.keys()}
    return config, params


# ----------------------------------------------------------------------------------------------
# Primitives. Rows are vectors: x is (T, C), a weight is stored (out, in), y = x W^T + b.

def linear(p, name, x, bias=True):
    y = x @ p[name + ".weight"].T
    if bias:
        y = y + p[name + ".bias"]
    return y


def layer_norm(p, name, x):
    # x is (T, C); biased variance, eps 1e-5
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True, ddof=1 if "variance" in wrong else 0)
    return (x - mean) / np.sqrt(var + 1e-5) * p[name + ".weight"] + p[name + ".bias"]


def softmax(z):
    # -inf entries get exactly 0; a row of -inf only gives zeros
    top = np.max(z, axis=-1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    e = np.exp(z - top)
    total = e.sum(axis=-1, keepdims=True)
    return np.divide(e, total, out=np.zeros_like(e), where=total > 0)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


erf = np.vectorize(math.erf, otypes=[np.float64])


def gelu_exact(u):
    return 0.5 * u * (1.0 + erf(u / math.sqrt(2.0)))


def gelu_tanh(u):
    return 0.5 * u * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (u + 0.044715 * u ** 3)))


def activation(name):
    # A stored "gelu" was written by an ablate whose "gelu" was the tanh approximation.
    exact = {"relu": None, "gelu_exact": True, "gelu_tanh": False, "gelu": False}[name]
    if exact is None:
        return lambda u: np.maximum(u, 0.0)
    if "gelu" in wrong:
        exact = not exact
    return gelu_exact if exact else gelu_tanh


def argmax(z):
    return int(np.argmax(z))  # the first maximum on ties


# ----------------------------------------------------------------------------------------------
# Transformer

def sinusoids(positions, C):
    # (T, C): PE(p, 2i) = sin(p / 10000^(2i/C)), PE(p, 2i+1) = cos(same)
    pos = np.asarray(positions, dtype=np.float64)[:, None]
    if "sinusoidal" in wrong:
        sines = (C + 1) // 2
        i = np.arange(C) % sines
        angle = pos / 10000.0 ** (2 * i / C)
        return np.where(np.arange(C) < sines, np.sin(angle), np.cos(angle))
    c = np.arange(C)
    angle = pos / 10000.0 ** (2 * (c // 2) / C)
    return np.where(c % 2 == 0, np.sin(angle), np.cos(angle))


def rope(x, positions):
    # x is (T, D), rotated pair by pair by theta = p * 10000^(-2k/D)
    T, D = x.shape
    k = np.arange(D // 2)
    theta = np.asarray(positions, dtype=np.float64)[:, None] * 10000.0 ** (-2 * k / D)
    cos, sin = np.cos(theta), np.sin(theta)
    if "rope" in wrong:
        first, second = np.arange(D // 2), np.arange(D // 2) + D // 2
    else:
        first, second = 2 * k, 2 * k + 1
    y = np.empty_like(x)
    y[:, first] = x[:, first] * cos - x[:, second] * sin
    y[:, second] = x[:, first] * sin + x[:, second] * cos
    return y


def alibi_slopes(H):
    def powers(n):
        return [2.0 ** (-8.0 * (h + 1) / n) for h in range(n)]
    n = 2 ** int(math.floor(math.log2(H)))
    if n == H or "alibi" in wrong:
        return powers(H)
    return powers(n) + powers(2 * n)[0::2][: H - n]


def attention(p, name, cfg, xq, xkv, pq, pk, causal, self_attention):
    # xq is (Tq, C), xkv is (Tk, C); pq, pk their positions; returns (Tq, C)
    C, H = cfg["d_model"], cfg["heads"]
    D = C // H
    bias = cfg["bias"]
    Q = linear(p, name + ".query", xq, bias)
    K = linear(p, name + ".key", xkv, bias)
    V = linear(p, name + ".value", xkv, bias)
    scale = 1.0 / math.sqrt(D) if cfg["attention_scale"] == "sqrt_dk" else 1.0
    distance = np.abs(np.asarray(pq)[:, None] - np.asarray(pk)[None, :]).astype(np.float64)
    future = np.asarray(pk)[None, :] > np.asarray(pq)[:, None]
    slopes = alibi_slopes(H)
    O = np.empty_like(Q)
    for h in range(H):
        cols = slice(h * D, (h + 1) * D)
        Qh, Kh, Vh = Q[:, cols], K[:, cols], V[:, cols]
        if cfg["positional"] == "rope" and self_attention:
            Qh, Kh = rope(Qh, pq), rope(Kh, pk)
        Z = scale * (Qh @ Kh.T)
        if cfg["positional"] == "alibi" and self_attention:
            Z = Z - slopes[h] * distance
        if causal:
            Z = np.where(future, -np.inf, Z)
        O[:, cols] = softmax(Z) @ Vh
    return linear(p, name + ".output", O, bias)


def feed_forward(p, name, cfg, x):
    act = activation(cfg["activation"])
    return linear(p, name + ".output", act(linear(p, name + ".input", x, cfg["bias"])), cfg["bias"])


def wire(p, norm_name, cfg, x, f):
    """One sublayer f in the stream, by `norm` and `residual`."""
    norm, residual = cfg["norm"], cfg["residual"]
    if norm == "post":
        return layer_norm(p, norm_name, x + f(x) if residual else f(x))
    if norm == "pre":
        y = f(layer_norm(p, norm_name, x))
        return x + y if residual else y
    return x + f(x) if residual else f(x)


def token_input(p, stack, cfg, tokens, positions):
    # (T, C): s * E[x_t] + P[p_t]
    C = cfg["d_model"]
    s = math.sqrt(C) if cfg["scale_embeddings"] else 1.0
    x = s * p[stack + ".embedding.weight"][tokens]
    if cfg["positional"] == "sinusoidal":
        x = x + sinusoids(positions, C)
    elif cfg["positional"] == "learned":
        x = x + p[stack + ".positions.weight"][positions]
    return x


def encoder(p, cfg, tokens, positions):
    x = token_input(p, "encoder", cfg, tokens, positions)
    for n in range(cfg["encoder_layers"]):
        layer = "encoder.layers.%d" % n
        x = wire(p, layer + ".self_attention_norm", cfg, x,
                 lambda h: attention(p, layer + ".self_attention", cfg, h, h, positions, positions, False, True))
        if cfg["feed_forward"]:
            x = wire(p, layer + ".feed_forward_norm", cfg, x, lambda h: feed_forward(p, layer + ".feed_forward", cfg, h))
    if cfg["norm"] == "pre":
        x = layer_norm(p, "encoder.final_norm", x)
    return x


def decoder(p, cfg, tokens, positions, memory=None, memory_positions=None):
    x = token_input(p, "decoder", cfg, tokens, positions)
    for n in range(cfg["decoder_layers"]):
        layer = "decoder.layers.%d" % n
        x = wire(p, layer + ".self_attention_norm", cfg, x,
                 lambda h: attention(p, layer + ".self_attention", cfg, h, h, positions, positions, cfg["causal_mask"], True))
        if memory is not None:
            x = wire(p, layer + ".cross_attention_norm", cfg, x,
                     lambda h: attention(p, layer + ".cross_attention", cfg, h, memory, positions, memory_positions, False, False))
        if cfg["feed_forward"]:
            x = wire(p, layer + ".feed_forward_norm", cfg, x, lambda h: feed_forward(p, layer + ".feed_forward", cfg, h))
    if cfg["norm"] == "pre":
        x = layer_norm(p, "decoder.final_norm", x)
    return x


def output_logits(p, cfg, h):
    if cfg["tied_embeddings"]:
        E = p["decoder.embedding.weight"]
        if "tied" in wrong:
            E = E * math.sqrt(cfg["d_model"])
        return h @ E.T
    return linear(p, "output", h, cfg["bias"])


def transformer_predict(p, cfg, source, steps, follow):
    n = len(source)
    if cfg["layout"] == "encoder-only":
        tokens = [cfg["vocabulary"]] + list(source)  # CLS is id V, first, at position 0
        h = encoder(p, cfg, tokens, list(range(n + 1)))
        z = linear(p, "classifier", h[0], True)
        return [argmax(z)], [z]
    if cfg["layout"] == "encoder-decoder":
        memory_positions = list(range(n))
        memory = encoder(p, cfg, list(source), memory_positions)
        seq = [0]
    else:
        memory, memory_positions = None, None
        seq = list(source) + [0]
    outputs, rows = [], []
    # The whole sequence is read again at each step: with the causal mask this is what a key/value
    # cache computes; without it, it is what ablate does (every position sees the newest token).
    for k in range(steps):
        h = decoder(p, cfg, seq, list(range(len(seq))), memory, memory_positions)
        z = output_logits(p, cfg, h[-1])
        outputs.append(argmax(z))
        rows.append(z)
        seq.append(follow[k] if follow is not None else outputs[-1])
    return outputs, rows


# ----------------------------------------------------------------------------------------------
# RNN baseline

def cell_step(p, name, cfg, x, state):
    """One GRU or LSTM step (PyTorch's gates); state is h, or (h, c) for an LSTM."""
    H = cfg["hidden"]
    gi = x @ p[name + ".weight_ih"].T + p[name + ".bias_ih"]
    W_hh, b_hh = p[name + ".weight_hh"], p[name + ".bias_hh"]
    if cfg["cell"] == "gru":
        h = state
        gh = h @ W_hh.T + b_hh
        r = sigmoid(gi[:H] + gh[:H])
        z = sigmoid(gi[H:2 * H] + gh[H:2 * H])
        if "gru" in wrong:
            n = np.tanh(gi[2 * H:] + (r * h) @ W_hh[2 * H:].T + b_hh[2 * H:])
        else:
            n = np.tanh(gi[2 * H:] + r * gh[2 * H:])
        return (1 - z) * n + z * h
    h, c = state
    g = gi + h @ W_hh.T + b_hh
    i, f, cand, o = sigmoid(g[:H]), sigmoid(g[H:2 * H]), np.tanh(g[2 * H:3 * H]), sigmoid(g[3 * H:])
    c = f * c + i * cand
    return (o * np.tanh(c), c)


def hidden_of(state):
    return state[0] if isinstance(state, tuple) else state


def zero_state(cfg):
    h = np.zeros(cfg["hidden"])
    return (h, np.zeros_like(h)) if cfg["cell"] == "lstm" else h


def run_direction(p, name, cfg, inputs, reverse):
    # inputs is (n, I); returns the outputs (n, H) and the final state
    state = zero_state(cfg)
    outputs = [None] * len(inputs)
    order = range(len(inputs) - 1, -1, -1) if reverse else range(len(inputs))
    for t in order:
        state = cell_step(p, name, cfg, inputs[t], state)
        outputs[t] = hidden_of(state)
    return np.array(outputs), state


def rnn_encoder(p, cfg, source):
    """The keys (n, K) and the decoder's first state per layer."""
    x = p["encoder.embedding.weight"][list(source)]
    first = []
    for l in range(cfg["layers"]):
        name = "encoder.layers.%d" % l
        if cfg["bidirectional"]:
            forward, final_f = run_direction(p, name + ".forward", cfg, x, False)
            backward, final_b = run_direction(p, name + ".backward", cfg, x, True)
            x = np.concatenate([forward, backward], axis=1)
            both = np.concatenate([hidden_of(final_f), hidden_of(final_b)])
            s = np.tanh(linear(p, "decoder.bridge.%d" % l, both))
            first.append((s, np.zeros_like(s)) if cfg["cell"] == "lstm" else s)
        else:
            x, final = run_direction(p, name, cfg, x, False)
            first.append(final)
    return x, first


def attend(p, cfg, s, keys):
    # s is (H), keys is (n, K); returns the context (K)
    kind = cfg["attention"]
    if kind == "additive":
        e = np.tanh(s @ p["decoder.attention.W"].T + keys @ p["decoder.attention.U"].T) @ p["decoder.attention.v"]
    elif kind == "dot":
        e = keys @ s
    else:
        e = (keys @ p["decoder.attention.W"].T) @ s
    return softmax(e) @ keys


def rnn_predict(p, cfg, source, steps, follow):
    keys, states = rnn_encoder(p, cfg, source)
    E = p["decoder.embedding.weight"]
    use_attention = cfg["attention"] != "none"
    luong = "timing" in wrong and cfg["attention"] in ("dot", "general")
    context = np.zeros(keys.shape[1])
    previous = 0
    outputs, rows = [], []
    for k in range(steps):
        if use_attention and not luong:
            context = attend(p, cfg, hidden_of(states[-1]), keys)  # reads s_(t-1): Bahdanau's timing
        u = np.concatenate([E[previous], context]) if use_attention else E[previous]
        for l in range(cfg["layers"]):
            states[l] = cell_step(p, "decoder.layers.%d" % l, cfg, u, states[l])
            u = hidden_of(states[l])
        if luong:
            context = attend(p, cfg, u, keys)  # the wrong timing: the new state s_t, fed to the next step
        z = linear(p, "output", np.concatenate([u, context]) if use_attention else u)
        outputs.append(argmax(z))
        rows.append(z)
        previous = follow[k] if follow is not None else outputs[-1]
    return outputs, rows


def predict(config, params, source, steps, follow=None):
    if config["arch"] == "rnn":
        return rnn_predict(params, config, source, steps, follow)
    return transformer_predict(params, config, source, steps, follow)


# ----------------------------------------------------------------------------------------------
# Random checkpoints under the documented names (docs/checkpoints.md, "Tensor names")

def parameter_layout(config):
    """[(name, shape, kind)] in the order of the tables; kind is weight, bias, gain or table."""
    cfg = resolve(config)
    out = []
    if cfg["arch"] == "transformer":
        C, F, V, L = cfg["d_model"], cfg["d_ff"], cfg["vocabulary"], cfg["max_length"]
        layout, bias, norm = cfg["layout"], cfg["bias"], cfg["norm"]

        def linear_layer(name, rows, cols):
            out.append((name + ".weight", (rows, cols), "weight"))
            if bias:
                out.append((name + ".bias", (rows,), "bias"))

        def norm_layer(name):
            out.append((name + ".weight", (C,), "gain"))
            out.append((name + ".bias", (C,), "bias"))

        def stack(name, layers, cross):
            rows = V + 1 if layout == "encoder-only" else V
            out.append((name + ".embedding.weight", (rows, C), "table"))
            if cfg["positional"] == "learned":
                out.append((name + ".positions.weight", (L, C), "table"))
            for n in range(layers):
                layer = "%s.layers.%d" % (name, n)
                sublayers = ["self_attention"] + (["cross_attention"] if cross else [])
                for sub in sublayers:
                    for projection in ("query", "key", "value", "output"):
                        linear_layer("%s.%s.%s" % (layer, sub, projection), C, C)
                    if norm != "none":
                        norm_layer("%s.%s_norm" % (layer, sub))
                if cfg["feed_forward"]:
                    linear_layer(layer + ".feed_forward.input", F, C)
                    linear_layer(layer + ".feed_forward.output", C, F)
                    if norm != "none":
                        norm_layer(layer + ".feed_forward_norm")
            if norm == "pre":
                norm_layer(name + ".final_norm")

        if layout in ("encoder-decoder", "encoder-only"):
            stack("encoder", cfg["encoder_layers"], False)
        if layout in ("encoder-decoder", "decoder-only"):
            stack("decoder", cfg["decoder_layers"], layout == "encoder-decoder")
            if not cfg["tied_embeddings"]:
                linear_layer("output", V, C)
        else:
            out.append(("classifier.weight", (cfg["classes"], C), "weight"))
            out.append(("classifier.bias", (cfg["classes"],), "bias"))
        return out

    V, E, H, A, layers = cfg["vocabulary"], cfg["embedding"], cfg["hidden"], cfg["attention_size"], cfg["layers"]
    G = (3 if cfg["cell"] == "gru" else 4) * H
    K = 2 * H if cfg["bidirectional"] else H
    attention = cfg["attention"]

    def cell(name, inputs):
        out.extend([(name + ".weight_ih", (G, inputs), "weight"), (name + ".weight_hh", (G, H), "weight"),
                    (name + ".bias_ih", (G,), "bias"), (name + ".bias_hh", (G,), "bias")])

    out.append(("encoder.embedding.weight", (V, E), "table"))
    for n in range(layers):
        inputs = E if n == 0 else K
        if cfg["bidirectional"]:
            cell("encoder.layers.%d.forward" % n, inputs)
            cell("encoder.layers.%d.backward" % n, inputs)
        else:
            cell("encoder.layers.%d" % n, inputs)
    out.append(("decoder.embedding.weight", (V, E), "table"))
    if cfg["bidirectional"]:
        for n in range(layers):
            out.extend([("decoder.bridge.%d.weight" % n, (H, 2 * H), "weight"), ("decoder.bridge.%d.bias" % n, (H,), "bias")])
    if attention == "additive":
        out.extend([("decoder.attention.W", (A, H), "weight"), ("decoder.attention.U", (A, K), "weight"),
                    ("decoder.attention.v", (A,), "weight")])
    elif attention == "general":
        out.append(("decoder.attention.W", (H, K), "weight"))
    for n in range(layers):
        cell("decoder.layers.%d" % n, (E + K if attention != "none" else E) if n == 0 else H)
    width = H + K if attention != "none" else H
    out.extend([("output.weight", (V, width), "weight"), ("output.bias", (V,), "bias")])
    return out


def write_random(path, config, seed):
    # Large enough that every part of the model moves the logits well past the tolerance, small
    # enough that no softmax saturates (a saturated one hides its scores, and so the positions):
    # weights N(0, 1/fan-in) (0.25-0.45 at these widths), so that each map keeps unit rows unit;
    # biases N(0, 0.3); Transformer token tables N(0, 1/C), unit rows once scaled by sqrt(C);
    # learned positions N(0, 0.5), RNN embeddings N(0, 1); layer-norm gains 1 + N(0, 0.6) and
    # biases N(0, 0.6), so that a norm changes what follows it.
    rng = np.random.default_rng(seed)
    transformer = resolve(config)["arch"] == "transformer"
    tensors = {}
    for name, shape, kind in parameter_layout(config):
        if kind == "weight":
            mean, std = 0.0, 1.0 / math.sqrt(shape[-1])
        elif kind == "gain":
            mean, std = 1.0, 0.6
        elif kind == "bias":
            mean, std = 0.0, 0.6 if "norm" in name else 0.3
        elif name.endswith("positions.weight"):
            mean, std = 0.0, 0.5
        else:
            mean, std = 0.0, 1.0 / math.sqrt(shape[1]) if transformer else 1.0
        tensors[name] = (mean + std * rng.standard_normal(shape)).astype(np.float32)
    save_file(tensors, path, metadata={"format": "ablate-checkpoint-1", "config": json.dumps(config, sort_keys=True)})


# ----------------------------------------------------------------------------------------------

def as_lists(outputs, rows):
    return {"output": outputs, "logits": [[float(v) for v in row] for row in rows]}


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    conventions = argparse.ArgumentParser(add_help=False)
    conventions.add_argument("--wrong", action="append", default=[], choices=sorted(WRONG),
                             help="use a convention ablate does not use (repeatable): " +
                                  "; ".join("%s: %s" % item for item in sorted(WRONG.items())))
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("predict", parents=[conventions])
    one.add_argument("checkpoint")
    one.add_argument("--input", required=True)
    one.add_argument("--steps", type=int)
    commands.add_parser("evaluate", parents=[conventions]).add_argument("manifest")
    commands.add_parser("write-random").add_argument("spec")
    args = parser.parse_args(argv)
    wrong.update(getattr(args, "wrong", []))

    if args.command == "predict":
        source = [int(word) for word in args.input.replace(",", " ").split()]
        config, params = load(args.checkpoint)
        result = as_lists(*predict(config, params, source, args.steps or len(source)))
        json.dump(dict(input=source, **result), sys.stdout)
    elif args.command == "evaluate":
        with open(args.manifest) as f:
            cases = json.load(f)["cases"]
        results, loaded = [], {}
        for case in cases:
            if case["checkpoint"] not in loaded:
                loaded[case["checkpoint"]] = load(case["checkpoint"])
            config, params = loaded[case["checkpoint"]]
            results.append(as_lists(*predict(config, params, case["input"], case["steps"], case.get("follow"))))
        json.dump({"cases": results}, sys.stdout)
    else:
        with open(args.spec) as f:
            for entry in json.load(f)["checkpoints"]:
                write_random(entry["path"], entry["config"], entry["seed"])
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
