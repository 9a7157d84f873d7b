#!/usr/bin/env python3
"""The loss of ablate's Transformer and its gradient, in float64 NumPy with a hand-written backward.

An independent reference for the Swift model (Sources/Models/Transformer*.swift, Sources/Layers):
written from the maths the Swift doc comments state, not from its kernels, so that it shares none
of their bugs. training.py takes optimizer steps with it and compares them with ablate's.

    loss, grads = loss_and_grads(params, config, batch, label_smoothing)

params are float64 arrays under the checkpoint's names, config the checkpoint's config JSON (a
dict), batch a SequenceBatch as flat lists (keys size, source_length, source, source_lengths,
target_length, decoder_input, targets, target_lengths, labels; row-major (B, T)). The loss is the
mean over the counted targets (not -1; the labels for encoder-only) of the cross-entropy against
(1 - eps) one_hot(target) + eps / V.

Each layer is a forward/backward pair: forward returns (out, cache), backward takes d out and the
cache, adds the parameter gradients into grads (+=) and returns d inp. Shapes use B examples,
T (Tq, Tk) positions, C = d_model, H heads, D = C / H, F = d_ff, V outputs.

    python3 transformer_training.py --self-check

compares every gradient with central finite differences on random tiny models of several configs.
"""
import math
import sys

import numpy as np

LAYER_NORM_EPSILON = 1e-5
GELU_SCALING = math.sqrt(2 / math.pi)
GELU_CUBIC = 0.044715
# The layouts, positional encodings and switches this reference implements; anything else is refused.
LAYOUTS = {"encoder-decoder", "decoder-only", "encoder-only"}
POSITIONALS = {"none", "sinusoidal", "learned", "rope", "alibi"}


# --- linear, embedding, positions ----------------------------------------------------------------

def linear_forward(x, params, name, bias):
    # x is (..., IC), weight is (OC, IC), bias is (OC): out = x W^T + b
    out = x @ params[name + ".weight"].T
    if bias:
        out = out + params[name + ".bias"]
    return out, x


def linear_backward(dout, x, params, grads, name, bias):
    # out = x W^T + b  =>  dW += dout^T x, db += sum over rows of dout, dx = dout W
    rows_out = dout.reshape(-1, dout.shape[-1])
    grads[name + ".weight"] += rows_out.T @ x.reshape(-1, x.shape[-1])
    if bias:
        grads[name + ".bias"] += rows_out.sum(axis=0)
    return dout @ params[name + ".weight"]


def embedding_forward(tokens, params, name, scale):
    # tokens is (B, T) ints, table is (V, C): out = scale * E[tokens]
    return scale * params[name + ".weight"][tokens], tokens


def embedding_backward(dout, tokens, grads, name, scale):
    # out = scale * E[tokens]  =>  dE[token] += scale * dout (scatter-add over repeated tokens)
    np.add.at(grads[name + ".weight"], tokens.reshape(-1), scale * dout.reshape(-1, dout.shape[-1]))


def sinusoidal_table(T, C):
    # PE(pos, 2i) = sin(pos / 10000^(2i/C)), PE(pos, 2i+1) = cos(pos / 10000^(2i/C)); (T, C)
    position = np.arange(T, dtype=np.float64)[:, None]
    pair = np.arange(C) // 2
    angle = position / np.power(10000.0, 2 * pair / C)[None, :]
    return np.where(np.arange(C) % 2 == 0, np.sin(angle), np.cos(angle))


def rope_rotate(x, inverse=False):
    # x is (B, H, T, D): each head's pair (2i, 2i+1) at position p turns by p * 10000^(-2i/D)
    T, D = x.shape[2], x.shape[3]
    angle = np.arange(T, dtype=np.float64)[:, None] * np.power(10000.0, -2.0 * np.arange(D // 2) / D)[None, :]
    cos, sin = np.cos(angle), np.sin(angle)
    if inverse:
        sin = -sin
    x0, x1 = x[..., 0::2], x[..., 1::2]
    out = np.empty_like(x)
    out[..., 0::2] = x0 * cos - x1 * sin
    out[..., 1::2] = x0 * sin + x1 * cos
    return out


def alibi_slopes(H):
    # Press et al.: 2^(-8 (h+1) / H) for a power of two H; otherwise those of the largest power of two
    # n below H, then every other slope of 2n heads.
    def power_of_two(n):
        return [2.0 ** (-8.0 * (h + 1) / n) for h in range(n)]
    n = 1
    while n * 2 <= H:
        n *= 2
    if n == H:
        return np.array(power_of_two(H))
    return np.array(power_of_two(n) + power_of_two(2 * n)[0::2][:H - n])


# --- layer norm, feed-forward -------------------------------------------------------------------

def layer_norm_forward(x, params, name):
    # x is (..., C): out = (x - mean) / sqrt(var + eps) * w + b, biased variance
    mean = x.mean(axis=-1, keepdims=True)
    rstd = 1.0 / np.sqrt(((x - mean) ** 2).mean(axis=-1, keepdims=True) + LAYER_NORM_EPSILON)
    normed = (x - mean) * rstd
    return normed * params[name + ".weight"] + params[name + ".bias"], (normed, rstd)


def layer_norm_backward(dout, cache, params, grads, name):
    normed, rstd = cache
    C = normed.shape[-1]
    grads[name + ".weight"] += (dout * normed).reshape(-1, C).sum(axis=0)
    grads[name + ".bias"] += dout.reshape(-1, C).sum(axis=0)
    # out = normed * w + b, normed = (x - mean) * rstd
    dnormed = dout * params[name + ".weight"]
    return rstd * (dnormed - dnormed.mean(axis=-1, keepdims=True)
                   - normed * (dnormed * normed).mean(axis=-1, keepdims=True))


_erf = np.frompyfunc(math.erf, 1, 1)


def erf(x):
    return _erf(x).astype(np.float64)


def gelu_exact(x):
    # x Phi(x) = 0.5 x (1 + erf(x / sqrt 2))
    return 0.5 * x * (1 + erf(x / math.sqrt(2)))


def gelu_exact_derivative(x):
    # Phi(x) + x phi(x), phi the standard normal density
    return 0.5 * (1 + erf(x / math.sqrt(2))) + x * np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def gelu_tanh(x):
    # the tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    return 0.5 * x * (1 + np.tanh(GELU_SCALING * (x + GELU_CUBIC * x ** 3)))


def gelu_tanh_derivative(x):
    t = np.tanh(GELU_SCALING * (x + GELU_CUBIC * x ** 3))
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_SCALING * (1 + 3 * GELU_CUBIC * x * x)


# The stored names of `activation` (a checkpoint's config): the exact GELU is stored "gelu_exact";
# a stored "gelu", written before the exact one existed, is the tanh approximation.
ACTIVATIONS = {
    "relu": (lambda x: np.maximum(x, 0), lambda x: (x > 0).astype(np.float64)),
    "gelu_exact": (gelu_exact, gelu_exact_derivative),
    "gelu_tanh": (gelu_tanh, gelu_tanh_derivative),
    "gelu": (gelu_tanh, gelu_tanh_derivative),
}


def feed_forward_forward(x, params, name, config):
    # hidden = x W1^T + b1 (.., F), activated = act(hidden), out = activated W2^T + b2
    bias = config["bias"]
    hidden, input_cache = linear_forward(x, params, name + ".input", bias)
    activated = ACTIVATIONS[config["activation"]][0](hidden)
    out, output_cache = linear_forward(activated, params, name + ".output", bias)
    return out, (hidden, input_cache, output_cache)


def feed_forward_backward(dout, cache, params, grads, name, config):
    hidden, input_cache, output_cache = cache
    bias = config["bias"]
    dactivated = linear_backward(dout, output_cache, params, grads, name + ".output", bias)
    # activated = act(hidden)  =>  dhidden = dactivated * act'(hidden) (ReLU's: [hidden > 0])
    dhidden = dactivated * ACTIVATIONS[config["activation"]][1](hidden)
    return linear_backward(dhidden, input_cache, params, grads, name + ".input", bias)


# --- attention ----------------------------------------------------------------------------------

def attention_mask(B, Tq, Tk, key_lengths, causal, slopes):
    # (B, H or 1, Tq, Tk) additive: -inf for keys j >= key_lengths[b] and, causal, j > i; -slope_h |i - j| with ALiBi
    i = np.arange(Tq)[:, None]
    j = np.arange(Tk)[None, :]
    masked = (j[None, :, :] >= np.asarray(key_lengths)[:, None, None])
    if causal:
        masked = masked | (j > i)[None, :, :]
    bias = np.zeros((1, 1, Tq, Tk)) if slopes is None else -slopes[None, :, None, None] * np.abs(i - j)[None, None, :, :]
    return np.where(masked[:, None, :, :], -np.inf, bias)


def attention_forward(x_query, x_key_value, params, name, config, key_lengths, causal, positional):
    # x_query is (B, Tq, C), x_key_value is (B, Tk, C); positional is "rope", "alibi" or None
    B, Tq, C = x_query.shape
    Tk = x_key_value.shape[1]
    H = config["heads"]
    D = C // H
    bias = config["bias"]
    q, q_cache = linear_forward(x_query, params, name + ".query", bias)
    k, k_cache = linear_forward(x_key_value, params, name + ".key", bias)
    v, v_cache = linear_forward(x_key_value, params, name + ".value", bias)

    def heads(t):
        return t.reshape(B, -1, H, D).transpose(0, 2, 1, 3)  # (B, H, T, D)
    qh, kh, vh = heads(q), heads(k), heads(v)
    if positional == "rope":
        qh, kh = rope_rotate(qh), rope_rotate(kh)
    scale = 1 / math.sqrt(D) if config["attention_scale"] == "sqrt_dk" else 1.0
    slopes = alibi_slopes(H) if positional == "alibi" else None
    # P = softmax(scale * Q K^T + mask) over the keys; a query with no key left has P = 0
    scores = scale * (qh @ kh.transpose(0, 1, 3, 2)) + attention_mask(B, Tq, Tk, key_lengths, causal, slopes)
    top = scores.max(axis=-1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0)
    e = np.exp(scores - top)
    total = e.sum(axis=-1, keepdims=True)
    p = np.divide(e, total, out=np.zeros_like(e), where=total > 0)
    context = (p @ vh).transpose(0, 2, 1, 3).reshape(B, Tq, C)
    out, out_cache = linear_forward(context, params, name + ".output", bias)
    return out, (qh, kh, vh, p, scale, q_cache, k_cache, v_cache, out_cache, positional)


def attention_backward(dout, cache, params, grads, name, config):
    # returns (d x_query, d x_key_value)
    qh, kh, vh, p, scale, q_cache, k_cache, v_cache, out_cache, positional = cache
    B, H, Tq, D = qh.shape
    C = H * D
    bias = config["bias"]
    # out = context W_o^T + b_o
    dcontext = linear_backward(dout, out_cache, params, grads, name + ".output", bias)
    dcontext_h = dcontext.reshape(B, Tq, H, D).transpose(0, 2, 1, 3)
    # context_h = P_h V_h  =>  dP = dcontext V^T, dV = P^T dcontext
    dp = dcontext_h @ vh.transpose(0, 1, 3, 2)
    dvh = p.transpose(0, 1, 3, 2) @ dcontext_h
    # P = softmax(scale * S + mask)  =>  dS = scale * P (dP - sum_j dP P)
    ds = scale * p * (dp - (dp * p).sum(axis=-1, keepdims=True))
    # S = Q K^T  =>  dQ = dS K, dK = dS^T Q
    dqh = ds @ kh
    dkh = ds.transpose(0, 1, 3, 2) @ qh
    if positional == "rope":
        dqh, dkh = rope_rotate(dqh, inverse=True), rope_rotate(dkh, inverse=True)

    def unheads(t):
        return t.transpose(0, 2, 1, 3).reshape(B, -1, C)
    dx_query = linear_backward(unheads(dqh), q_cache, params, grads, name + ".query", bias)
    dx_key_value = (linear_backward(unheads(dkh), k_cache, params, grads, name + ".key", bias)
                    + linear_backward(unheads(dvh), v_cache, params, grads, name + ".value", bias))
    return dx_query, dx_key_value


# --- sublayer wiring, blocks, stacks ------------------------------------------------------------

def sublayer_forward(x, params, norm_name, config, f):
    # post: LN(x + f(x)); pre: x + f(LN(x)); none: x + f(x); without residual the "x +" goes
    norm, residual = config["norm"], config["residual"]
    norm_cache = None
    inp = x
    if norm == "pre":
        inp, norm_cache = layer_norm_forward(x, params, norm_name)
    y, f_cache = f(inp)
    out = x + y if residual else y
    if norm == "post":
        out, norm_cache = layer_norm_forward(out, params, norm_name)
    return out, (norm_cache, f_cache)


def sublayer_backward(dout, cache, params, grads, norm_name, config, f_backward):
    # f_backward(dy, f_cache) returns d inp of f; returns d x
    norm, residual = config["norm"], config["residual"]
    norm_cache, f_cache = cache
    if norm == "post":
        dout = layer_norm_backward(dout, norm_cache, params, grads, norm_name)
    dx = dout.copy() if residual else np.zeros_like(dout)
    dinp = f_backward(dout, f_cache)
    if norm == "pre":
        dinp = layer_norm_backward(dinp, norm_cache, params, grads, norm_name)
    return dx + dinp


def block_positional(config):
    positional = config["positional"]
    return positional if positional in ("rope", "alibi") else None


def block_forward(x, params, name, config, lengths, causal, memory=None, memory_lengths=None):
    # self-attention, cross-attention (when memory is given), feed-forward; x is (B, T, C)
    caches = {}
    positional = block_positional(config)
    x, caches["self"] = sublayer_forward(
        x, params, name + ".self_attention_norm", config,
        lambda inp: attention_forward(inp, inp, params, name + ".self_attention", config, lengths, causal, positional))
    if memory is not None:
        x, caches["cross"] = sublayer_forward(
            x, params, name + ".cross_attention_norm", config,
            lambda inp: attention_forward(inp, memory, params, name + ".cross_attention", config, memory_lengths, False, None))
    if config["feed_forward"]:
        x, caches["feed_forward"] = sublayer_forward(
            x, params, name + ".feed_forward_norm", config,
            lambda inp: feed_forward_forward(inp, params, name + ".feed_forward", config))
    return x, caches


def block_backward(dout, caches, params, grads, name, config):
    # returns (d x, d memory or None)
    dmemory = None
    if "feed_forward" in caches:
        dout = sublayer_backward(dout, caches["feed_forward"], params, grads, name + ".feed_forward_norm", config,
                                 lambda dy, c: feed_forward_backward(dy, c, params, grads, name + ".feed_forward", config))
    if "cross" in caches:
        memory_gradient = []

        def cross_backward(dy, c):
            dq, dkv = attention_backward(dy, c, params, grads, name + ".cross_attention", config)
            memory_gradient.append(dkv)
            return dq
        dout = sublayer_backward(dout, caches["cross"], params, grads, name + ".cross_attention_norm", config, cross_backward)
        dmemory = memory_gradient[0]

    def self_backward(dy, c):
        dq, dkv = attention_backward(dy, c, params, grads, name + ".self_attention", config)
        return dq + dkv
    dout = sublayer_backward(dout, caches["self"], params, grads, name + ".self_attention_norm", config, self_backward)
    return dout, dmemory


def stack_forward(x, params, prefix, layers, config, lengths, causal, memory=None, memory_lengths=None):
    caches = []
    for layer in range(layers):
        x, cache = block_forward(x, params, f"{prefix}.layers.{layer}", config, lengths, causal, memory, memory_lengths)
        caches.append(cache)
    final_cache = None
    if config["norm"] == "pre":
        x, final_cache = layer_norm_forward(x, params, prefix + ".final_norm")
    return x, (caches, final_cache)


def stack_backward(dout, cache, params, grads, prefix, config):
    # returns (d stack input, d memory summed over the layers, or None)
    caches, final_cache = cache
    if final_cache is not None:
        dout = layer_norm_backward(dout, final_cache, params, grads, prefix + ".final_norm")
    dmemory = None
    for layer in reversed(range(len(caches))):
        dout, dm = block_backward(dout, caches[layer], params, grads, f"{prefix}.layers.{layer}", config)
        if dm is not None:
            dmemory = dm if dmemory is None else dmemory + dm
    return dout, dmemory


def input_forward(tokens, params, prefix, config):
    # embed(tokens) * sqrt(C) (scale_embeddings) + sinusoidal or learned positions; (B, T, C)
    C = config["d_model"]
    scale = math.sqrt(C) if config["scale_embeddings"] else 1.0
    x, _ = embedding_forward(tokens, params, prefix + ".embedding", scale)
    T = tokens.shape[1]
    if config["positional"] == "sinusoidal":
        x = x + sinusoidal_table(T, C)[None]
    elif config["positional"] == "learned":
        x = x + params[prefix + ".positions.weight"][:T][None]
    return x, (tokens, scale)


def input_backward(dout, cache, grads, prefix, config):
    tokens, scale = cache
    if config["positional"] == "learned":
        grads[prefix + ".positions.weight"][:tokens.shape[1]] += dout.sum(axis=0)
    embedding_backward(dout, tokens, grads, prefix + ".embedding", scale)


# --- loss ---------------------------------------------------------------------------------------

def cross_entropy_forward(logits, targets, label_smoothing):
    # logits is (N, V), targets is (N) with -1 ignored: the mean over counted rows of
    # -sum_j q_j log softmax(z)_j, q = (1 - eps) one_hot(target) + eps / V
    N, V = logits.shape
    counted = targets != -1
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    q = np.full((N, V), label_smoothing / V)
    rows = np.nonzero(counted)[0]
    q[rows, targets[rows]] += 1 - label_smoothing
    losses = -(q * log_p).sum(axis=1)
    count = int(counted.sum())
    loss = float(losses[counted].sum() / count) if count > 0 else 0.0
    return loss, (np.exp(log_p), q, counted, count)


def cross_entropy_backward(cache):
    # d loss / d z_j = (p_j - q_j) / counted on counted rows, 0 on ignored ones
    p, q, counted, count = cache
    if count == 0:
        return np.zeros_like(p)
    return (p - q) * counted[:, None] / count


# --- the model ----------------------------------------------------------------------------------

def check_config(config):
    if config.get("arch", "transformer") != "transformer":
        raise ValueError(f"transformer_training takes Transformer configs, got arch {config.get('arch')}")
    if config["layout"] not in LAYOUTS or config["positional"] not in POSITIONALS:
        raise NotImplementedError(f"layout {config['layout']} / positional {config['positional']}")
    if config["norm"] not in ("post", "pre", "none") or config["activation"] not in ACTIVATIONS:
        raise NotImplementedError(f"norm {config['norm']} / activation {config['activation']}")
    if config.get("dropout", 0) != 0:
        raise NotImplementedError("the reference trains without dropout")


def batch_arrays(batch):
    B, Ts, Tt = batch["size"], batch["source_length"], batch["target_length"]
    return (np.array(batch["source"], dtype=np.int64).reshape(B, Ts),
            np.array(batch["source_lengths"], dtype=np.int64),
            np.array(batch["decoder_input"], dtype=np.int64).reshape(B, Tt),
            np.array(batch["targets"], dtype=np.int64).reshape(B * Tt),
            np.array(batch["target_lengths"], dtype=np.int64),
            np.array(batch["labels"], dtype=np.int64))


def loss_and_grads(params, config, batch, label_smoothing):
    """The mean loss of `batch` and its gradient with respect to every parameter (see the module doc)."""
    check_config(config)
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    layout = config["layout"]
    B = batch["size"]
    source, source_lengths, decoder_input, targets, target_lengths, labels = batch_arrays(batch)

    # forward
    memory = encoder_cache = encoder_input_cache = None
    if layout != "decoder-only":
        encoder_tokens, encoder_lengths = source, source_lengths
        if layout == "encoder-only":
            # the CLS token (id vocabulary) first, counted in the lengths
            encoder_tokens = np.concatenate([np.full((B, 1), config["vocabulary"]), source], axis=1)
            encoder_lengths = source_lengths + 1
        x, encoder_input_cache = input_forward(encoder_tokens, params, "encoder", config)
        memory, encoder_cache = stack_forward(x, params, "encoder", config["encoder_layers"], config, encoder_lengths, False)
    if layout == "encoder-only":
        # logits = classifier(h[CLS]); the classifier always has its bias
        logits, head_cache = linear_forward(memory[:, 0], params, "classifier", True)
        loss, loss_cache = cross_entropy_forward(logits, labels, label_smoothing)
    else:
        x, decoder_input_cache = input_forward(decoder_input, params, "decoder", config)
        cross = layout == "encoder-decoder"
        out, decoder_cache = stack_forward(x, params, "decoder", config["decoder_layers"], config, target_lengths,
                                           config["causal_mask"], memory if cross else None, source_lengths if cross else None)
        if config["tied_embeddings"]:
            # logits = out E^T, no scale, no bias
            logits = out @ params["decoder.embedding.weight"].T
        else:
            logits, head_cache = linear_forward(out, params, "output", config["bias"])
        V = logits.shape[-1]
        loss, loss_cache = cross_entropy_forward(logits.reshape(-1, V), targets, label_smoothing)

    # backward
    dlogits = cross_entropy_backward(loss_cache)
    dmemory = None
    if layout == "encoder-only":
        dmemory = np.zeros_like(memory)
        dmemory[:, 0] = linear_backward(dlogits, head_cache, params, grads, "classifier", True)
    else:
        dlogits = dlogits.reshape(logits.shape)
        if config["tied_embeddings"]:
            grads["decoder.embedding.weight"] += dlogits.reshape(-1, V).T @ out.reshape(-1, out.shape[-1])
            dout = dlogits @ params["decoder.embedding.weight"]
        else:
            dout = linear_backward(dlogits, head_cache, params, grads, "output", config["bias"])
        dx, dmemory = stack_backward(dout, decoder_cache, params, grads, "decoder", config)
        input_backward(dx, decoder_input_cache, grads, "decoder", config)
    if dmemory is not None:
        dx, _ = stack_backward(dmemory, encoder_cache, params, grads, "encoder", config)
        input_backward(dx, encoder_input_cache, grads, "encoder", config)
    return loss, grads


# --- self-check ---------------------------------------------------------------------------------

def parameter_shapes(config):
    """The parameter names and shapes of a config (the Swift layout), for random models in the self-check."""
    C, V, F = config["d_model"], config["vocabulary"], config["d_ff"]
    bias, norm, layout = config["bias"], config["norm"], config["layout"]
    shapes = {}

    def linear(name, inputs, outputs, with_bias):
        shapes[name + ".weight"] = (outputs, inputs)
        if with_bias:
            shapes[name + ".bias"] = (outputs,)

    def layer_norm(name):
        shapes[name + ".weight"] = (C,)
        shapes[name + ".bias"] = (C,)

    def stack(prefix, layers, cross, vocabulary):
        shapes[prefix + ".embedding.weight"] = (vocabulary, C)
        if config["positional"] == "learned":
            shapes[prefix + ".positions.weight"] = (config["max_length"], C)
        for layer in range(layers):
            name = f"{prefix}.layers.{layer}"
            for sublayer in ["self_attention"] + (["cross_attention"] if cross else []):
                for projection in ("query", "key", "value", "output"):
                    linear(f"{name}.{sublayer}.{projection}", C, C, bias)
                if norm != "none":
                    layer_norm(f"{name}.{sublayer}_norm")
            if config["feed_forward"]:
                linear(f"{name}.feed_forward.input", C, F, bias)
                linear(f"{name}.feed_forward.output", F, C, bias)
                if norm != "none":
                    layer_norm(f"{name}.feed_forward_norm")
        if norm == "pre":
            layer_norm(prefix + ".final_norm")

    if layout != "decoder-only":
        stack("encoder", config["encoder_layers"], False, V + 1 if layout == "encoder-only" else V)
    if layout != "encoder-only":
        stack("decoder", config["decoder_layers"], layout == "encoder-decoder", V)
        if not config["tied_embeddings"]:
            linear("output", C, V, bias)
    else:
        linear("classifier", C, config["classes"], True)
    return shapes


SELF_CHECK_BASE = {
    "arch": "transformer", "layout": "encoder-decoder", "vocabulary": 6, "classes": 3, "d_model": 8, "heads": 2,
    "encoder_layers": 1, "decoder_layers": 2, "d_ff": 12, "feed_forward": True, "activation": "relu",
    "positional": "sinusoidal", "max_length": 8, "attention_scale": "sqrt_dk", "causal_mask": True, "residual": True,
    "norm": "post", "dropout": 0, "tied_embeddings": False, "bias": True, "scale_embeddings": True,
}

SELF_CHECK_CONFIGS = [
    {},
    {"norm": "pre", "positional": "rope", "activation": "gelu_exact", "tied_embeddings": True},
    {"layout": "decoder-only", "norm": "pre", "positional": "alibi", "bias": False, "heads": 4, "activation": "gelu_tanh"},
    {"layout": "encoder-only", "norm": "none", "positional": "learned", "attention_scale": "none", "encoder_layers": 2},
    {"residual": False, "feed_forward": False, "scale_embeddings": False, "causal_mask": False, "heads": 3, "d_model": 9,
     "positional": "none"},
]


def self_check_batch(config, rng):
    # three examples of different lengths, padded, with one -1 inside a valid region
    B, V, layout = 3, config["vocabulary"], config["layout"]
    source_lengths, target_lengths = [4, 2, 3], [3, 1, 2]
    Ts = 0 if layout == "decoder-only" else max(source_lengths)
    Tt = 0 if layout == "encoder-only" else max(target_lengths) + (max(source_lengths) if layout == "decoder-only" else 0)
    source = rng.integers(0, V, size=(B, Ts))
    decoder_input = rng.integers(0, V, size=(B, Tt))
    targets = rng.integers(0, V, size=(B, Tt))
    lengths = [s + t for s, t in zip(source_lengths, target_lengths)] if layout == "decoder-only" else target_lengths
    for b in range(B):
        if Ts:
            source[b, source_lengths[b]:] = 0
        decoder_input[b, lengths[b]:] = 0
        targets[b, lengths[b]:] = -1
    if Tt:
        targets[0, 1] = -1
    return {
        "size": B, "source_length": Ts, "source": source.reshape(-1).tolist(),
        "source_lengths": source_lengths if Ts else [], "target_length": Tt,
        "decoder_input": decoder_input.reshape(-1).tolist(), "targets": targets.reshape(-1).tolist(),
        "target_lengths": lengths if Tt else [],
        "labels": rng.integers(0, config["classes"], size=B).tolist() if layout == "encoder-only" else [],
    }


def self_check(samples_per_tensor=6, step=1e-5, tolerance=1e-6):
    """Central finite differences of the loss against the hand-written gradient; returns the failures."""
    rng = np.random.default_rng(7)
    failures = []
    for overrides in SELF_CHECK_CONFIGS:
        config = dict(SELF_CHECK_BASE, **overrides)
        params = {name: rng.normal(0, 0.5, size=shape) for name, shape in parameter_shapes(config).items()}
        batch = self_check_batch(config, rng)
        loss, grads = loss_and_grads(params, config, batch, 0.1)
        worst = 0.0
        for name, value in params.items():
            flat = value.reshape(-1)
            for index in rng.choice(flat.size, size=min(samples_per_tensor, flat.size), replace=False):
                original = flat[index]
                flat[index] = original + step
                up, _ = loss_and_grads(params, config, batch, 0.1)
                flat[index] = original - step
                down, _ = loss_and_grads(params, config, batch, 0.1)
                flat[index] = original
                numeric = (up - down) / (2 * step)
                analytic = grads[name].reshape(-1)[index]
                error = abs(numeric - analytic) / max(1.0, abs(numeric))
                worst = max(worst, error)
                if error > tolerance:
                    failures.append(f"{overrides}: d loss / d {name}[{index}] is {analytic:.10g}, finite differences {numeric:.10g}")
        print(f"self-check {overrides or 'base'}: loss {loss:.6f}, worst error {worst:.2e} over {len(params)} tensors")
    return failures


if __name__ == "__main__":
    if sys.argv[1:] != ["--self-check"]:
        sys.exit(__doc__)
    problems = self_check()
    for problem in problems:
        print("FAIL", problem)
    sys.exit(1 if problems else 0)
