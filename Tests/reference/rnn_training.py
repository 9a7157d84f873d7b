#!/usr/bin/env python3
"""A float64 NumPy reference of the training loss of ablate's RNN baseline and of its gradient.

The model is the encoder-decoder of Sources/Models/RNNSeq2Seq.swift (GRU or LSTM cells, additive,
dot, general or no attention, 1..L layers, a unidirectional or bidirectional encoder), run with
teacher forcing and without dropout, and its loss the mean label-smoothed cross-entropy of
Sources/Tensors/CrossEntropy.swift. The backward is written by hand (only NumPy is assumed), so
`--self-check` compares it with central finite differences of the forward here.

    loss, grads = loss_and_grads(params, config, batch, label_smoothing)

- params: {checkpoint name: float64 array} with the shapes of docs/checkpoints.md;
- config: the checkpoint's model config (JSON object: arch, cell, attention, embedding, hidden,
  layers, bidirectional, attention_size, vocabulary, dropout);
- batch: SequenceBatch's fields in snake_case: size, source_length, source (B*Ts, row-major),
  source_lengths, target_length, decoder_input (B*Tt), targets (B*Tt, -1 = no loss),
  target_lengths, labels;
- returns the loss and d loss / d parameter for every key of params (zeros for a key the model
  does not read).

The maths, with s_t^l the decoder state of layer l after step t and K the top encoder outputs:

    encoder   o^l = RNN^l(o^{l-1}), o^{-1} = embed_src(source); a bidirectional layer's output is
              [forward; backward]; every direction starts from zero; row b runs source_lengths[b]
              steps (the backward direction from its last real token down to 0), its state is carried
              unchanged through the padding, and its outputs there are 0
    start     s_{-1}^l = h_final^l, c_{-1}^l = c_final^l                       (unidirectional)
              s_{-1}^l = tanh(bridge^l [h_fwd_final^l; h_bwd_final^l]), c = 0  (bidirectional)
    step t    ctx_t = attention(s_{t-1}^{L-1}, K), padded keys weigh 0 (an all-padding row: ctx 0)
              s_t^0 = RNN^0([embed_tgt(decoder_input_t); ctx_t], s_{t-1}^0)
              s_t^l = RNN^l(s_t^{l-1}, s_{t-1}^l)
              logits_t = output([s_t^{L-1}; ctx_t])
    none      no ctx: s_t^0 = RNN^0(embed_tgt(decoder_input_t)), logits_t = output(s_t^{L-1})

Every decoder row runs all Tt steps: target padding only takes the loss away (targets -1), as in
ablate, which does not read target_lengths.

    python3 rnn_training.py --self-check

builds a tiny random model of every cell x attention x bidirectional x 1 or 2 layers (but dot with
a bidirectional encoder, which ablate refuses) on a batch with source and target padding, compares
every gradient component with fourth-order central differences of the forward (relative error
below 1e-6 per tensor), checks that each padded row's logits equal those of its example run alone,
and exits 1 on any failure.
"""

import argparse
import sys

import numpy as np

# RNNConfig's defaults (Sources/Models/ModelConfig.swift), for a config that leaves a key out.
DEFAULTS = {
    "cell": "gru", "attention": "additive", "vocabulary": 16, "embedding": 64, "hidden": 128,
    "layers": 1, "bidirectional": False, "attention_size": 128, "dropout": 0.0,
}

IGNORE = -1  # SequenceBatch.ignore: a target that takes no loss


def _sigmoid(x):
    # the tanh form neither overflows nor warns for large |x|
    return 0.5 * (1.0 + np.tanh(0.5 * x))


# ---------------------------------------------------------------------------------------------
# Cells. Both keep PyTorch's parameters and gate order (GRU r, z, n; LSTM i, f, g, o), as GRU.swift
# and LSTM.swift do. forward(p, x, h, c) -> (h', c', cache); backward(p, g, cache, dh', dc') -> (dx,
# dh, dc) and adds the weight gradients into g. p and g map "weight_ih", ... to one layer's arrays.


class GRU:
    gates = 3
    has_cell = False

    @staticmethod
    def forward(p, x, h, c):
        H = h.shape[1]
        xp = x @ p["weight_ih"].T + p["bias_ih"]
        hp = h @ p["weight_hh"].T + p["bias_hh"]
        r = _sigmoid(xp[:, :H] + hp[:, :H])
        z = _sigmoid(xp[:, H:2 * H] + hp[:, H:2 * H])
        # PyTorch's candidate: the reset gate multiplies W_hn h + b_hn, bias included
        n = np.tanh(xp[:, 2 * H:] + r * hp[:, 2 * H:])
        h_new = (1.0 - z) * n + z * h
        return h_new, None, (x, h, hp, r, z, n)

    @staticmethod
    def backward(p, g, cache, dh_new, dc_new):
        x, h, hp, r, z, n = cache
        H = h.shape[1]
        dn = dh_new * (1.0 - z)
        dz = dh_new * (h - n)
        dh = dh_new * z
        dn_pre = dn * (1.0 - n * n)
        dr = dn_pre * hp[:, 2 * H:]
        dz_pre = dz * z * (1.0 - z)
        dr_pre = dr * r * (1.0 - r)
        dxp = np.concatenate([dr_pre, dz_pre, dn_pre], axis=1)
        dhp = np.concatenate([dr_pre, dz_pre, dn_pre * r], axis=1)
        dh = dh + dhp @ p["weight_hh"]
        g["weight_hh"] += dhp.T @ h
        g["bias_hh"] += dhp.sum(axis=0)
        g["weight_ih"] += dxp.T @ x
        g["bias_ih"] += dxp.sum(axis=0)
        return dxp @ p["weight_ih"], dh, None


class LSTM:
    gates = 4
    has_cell = True

    @staticmethod
    def forward(p, x, h, c):
        H = h.shape[1]
        pre = x @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"]
        i = _sigmoid(pre[:, :H])
        f = _sigmoid(pre[:, H:2 * H])
        gg = np.tanh(pre[:, 2 * H:3 * H])
        o = _sigmoid(pre[:, 3 * H:])
        c_new = f * c + i * gg
        tc = np.tanh(c_new)
        return o * tc, c_new, (x, h, c, i, f, gg, o, tc)

    @staticmethod
    def backward(p, g, cache, dh_new, dc_new):
        x, h, c, i, f, gg, o, tc = cache
        # the cell's total gradient adds the path through h' = o tanh(c')
        dc_total = dc_new + dh_new * o * (1.0 - tc * tc)
        dpre = np.concatenate([
            dc_total * gg * i * (1.0 - i),
            dc_total * c * f * (1.0 - f),
            dc_total * i * (1.0 - gg * gg),
            dh_new * tc * o * (1.0 - o),
        ], axis=1)
        g["weight_ih"] += dpre.T @ x
        g["weight_hh"] += dpre.T @ h
        g["bias_ih"] += dpre.sum(axis=0)
        g["bias_hh"] += dpre.sum(axis=0)
        return dpre @ p["weight_ih"], dpre @ p["weight_hh"], dc_total * f


CELLS = {"gru": GRU, "lstm": LSTM}
CELL_TENSORS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def _weights(params, name):
    """One recurrent layer's four tensors by their short names."""
    return {k: params[f"{name}.{k}"] for k in CELL_TENSORS}


def _layer(params, grads, name):
    """One recurrent layer's four tensors and their gradient arrays, by their short names."""
    return _weights(params, name), _weights(grads, name)


# ---------------------------------------------------------------------------------------------
# One encoder direction over padded sequences, as RecurrentLayer.forward runs it: at iteration k
# row b processes time k (forward) or lengths[b] - 1 - k (reverse) while k < lengths[b], and
# carries (h, c) through unchanged afterwards, so the final state is the one after its last real
# step and both directions put the padding at the end of a row's iterations.


def _sequence_forward(cell, p, x, lengths, reverse, H):
    B, T, _ = x.shape
    rows = np.arange(B)
    h = np.zeros((B, H))
    c = np.zeros((B, H)) if cell.has_cell else None
    out = np.zeros((B, T, H))  # padded times stay 0
    steps = []
    for k in range(T):
        active = k < lengths
        t = np.clip(lengths - 1 - k if reverse else np.full(B, k), 0, T - 1)
        h_new, c_new, cache = cell.forward(p, x[rows, t], h, c)
        a = active[:, None]
        h = np.where(a, h_new, h)
        if cell.has_cell:
            c = np.where(a, c_new, c)
        out[rows[active], t[active]] = h_new[active]
        steps.append((active, t, cache))
    return out, h, c, steps


def _sequence_backward(cell, p, g, steps, dout, dh_final, dc_final, input_size):
    """d loss / d inputs (B,T,I) from d loss / d outputs (B,T,H) and / d final (h, c)."""
    B, T, _ = dout.shape
    rows = np.arange(B)
    dx = np.zeros((B, T, input_size))
    dh = dh_final.copy()
    dc = dc_final.copy() if cell.has_cell else None
    for k in range(T - 1, -1, -1):
        active, t, cache = steps[k]
        a = active[:, None]
        # an inactive row carried its state: its gradient passes through and its step gets none
        dh_step = np.where(a, dh + dout[rows, t], 0.0)
        dc_step = np.where(a, dc, 0.0) if cell.has_cell else None
        dxk, dh_prev, dc_prev = cell.backward(p, g, cache, dh_step, dc_step)
        dh = np.where(a, dh_prev, dh)
        if cell.has_cell:
            dc = np.where(a, dc_prev, dc)
        dx[rows[active], t[active]] += dxk[active]
    return dx


# ---------------------------------------------------------------------------------------------
# Attention (RecurrentAttention.swift, LuongAttention.swift): scores of the state against every key,
# padded keys set to -inf, softmax, context = sum_j a_j K_j. U K (additive) and W_a K (general) are
# computed once per batch, as ablate's precompute does.


def _attention_forward(kind, params, s, K, projected, mask):
    if kind == "additive":
        ps = s @ params["decoder.attention.W"].T                      # (B,A)
        hidden = np.tanh(ps[:, None, :] + projected)                  # (B,Ts,A)
        scores = hidden @ params["decoder.attention.v"]
    elif kind == "dot":
        hidden = None
        scores = np.einsum("bh,bjh->bj", s, K)
    else:  # general: s^T W_a h_j = s . (W_a h_j)
        hidden = None
        scores = np.einsum("bh,bjh->bj", s, projected)
    scores = np.where(mask, scores, -np.inf)
    top = scores.max(axis=1, keepdims=True)
    # a row with no real key has no distribution: weights 0 (Softmax.swift), so context 0
    e = np.where(mask, np.exp(scores - np.where(np.isfinite(top), top, 0.0)), 0.0)
    total = e.sum(axis=1, keepdims=True)
    weights = e / np.where(total > 0, total, 1.0)
    context = np.einsum("bj,bjk->bk", weights, K)
    return context, (s, weights, hidden)


def _attention_backward(kind, params, grads, cache, dcontext, K, projected, dK, dprojected):
    """Returns d loss / d s; adds into dK, dprojected and the parameter gradients."""
    s, weights, hidden = cache
    dweights = np.einsum("bk,bjk->bj", dcontext, K)
    dK += weights[:, :, None] * dcontext[:, None, :]
    dscores = weights * (dweights - (dweights * weights).sum(axis=1, keepdims=True))
    if kind == "additive":
        v = params["decoder.attention.v"]
        grads["decoder.attention.v"] += np.einsum("bj,bja->a", dscores, hidden)
        dpre = dscores[:, :, None] * v * (1.0 - hidden * hidden)      # masked keys: dscores 0
        dprojected += dpre
        dps = dpre.sum(axis=1)
        grads["decoder.attention.W"] += dps.T @ s
        return dps @ params["decoder.attention.W"]
    if kind == "dot":
        dK += dscores[:, :, None] * s[:, None, :]
        return np.einsum("bj,bjh->bh", dscores, K)
    dprojected += dscores[:, :, None] * s[:, None, :]
    return np.einsum("bj,bjh->bh", dscores, projected)


# ---------------------------------------------------------------------------------------------
# The model.


def _settings(config):
    cfg = dict(DEFAULTS)
    cfg.update({k: v for k, v in config.items() if k != "arch"})
    if config.get("arch", "rnn") != "rnn":
        raise ValueError(f"not an RNN config: arch {config.get('arch')!r}")
    if cfg["cell"] not in CELLS:
        raise ValueError(f"cell must be gru or lstm, got {cfg['cell']!r}")
    if cfg["attention"] not in ("additive", "dot", "general", "none"):
        raise ValueError(f"attention must be additive, dot, general or none, got {cfg['attention']!r}")
    if cfg["attention"] == "dot" and cfg["bidirectional"]:
        # RNNConfig.validate refuses it: the states are H wide, a bidirectional encoder's keys 2H
        raise ValueError("dot attention with a bidirectional encoder is not a valid ablate config")
    if float(cfg["dropout"]) != 0.0:
        # ablate's training draws dropout masks from its own RNG: no reference can follow them
        raise ValueError(f"the reference runs without dropout; the config has dropout {cfg['dropout']}")
    return cfg


def expected_shapes(config):
    """{name: shape} of every parameter the model of `config` has (docs/checkpoints.md), in order."""
    cfg = _settings(config)
    V, E, H, L, A = cfg["vocabulary"], cfg["embedding"], cfg["hidden"], cfg["layers"], cfg["attention_size"]
    G = CELLS[cfg["cell"]].gates * H
    K = (2 if cfg["bidirectional"] else 1) * H
    attention = cfg["attention"] != "none"
    shapes = {"encoder.embedding.weight": (V, E)}

    def cell(name, inputs):
        shapes.update({f"{name}.weight_ih": (G, inputs), f"{name}.weight_hh": (G, H),
                       f"{name}.bias_ih": (G,), f"{name}.bias_hh": (G,)})

    for l in range(L):
        inputs = E if l == 0 else K
        if cfg["bidirectional"]:
            cell(f"encoder.layers.{l}.forward", inputs)
            cell(f"encoder.layers.{l}.backward", inputs)
        else:
            cell(f"encoder.layers.{l}", inputs)
    shapes["decoder.embedding.weight"] = (V, E)
    if cfg["bidirectional"]:
        for l in range(L):
            shapes[f"decoder.bridge.{l}.weight"] = (H, 2 * H)
            shapes[f"decoder.bridge.{l}.bias"] = (H,)
    if cfg["attention"] == "additive":
        shapes.update({"decoder.attention.W": (A, H), "decoder.attention.U": (A, K), "decoder.attention.v": (A,)})
    elif cfg["attention"] == "general":
        shapes["decoder.attention.W"] = (H, K)
    for l in range(L):
        cell(f"decoder.layers.{l}", (E + (K if attention else 0)) if l == 0 else H)
    shapes["output.weight"] = (V, H + (K if attention else 0))
    shapes["output.bias"] = (V,)
    return shapes


def _batch_arrays(batch, V):
    B, Ts, Tt = int(batch["size"]), int(batch["source_length"]), int(batch["target_length"])
    source = np.asarray(batch["source"], dtype=np.int64).reshape(B, Ts)
    lengths = np.asarray(batch["source_lengths"], dtype=np.int64).reshape(B)
    decoder_input = np.asarray(batch["decoder_input"], dtype=np.int64).reshape(B, Tt)
    targets = np.asarray(batch["targets"], dtype=np.int64).reshape(B, Tt)
    if np.any((lengths < 0) | (lengths > Ts)):
        raise ValueError(f"source_lengths {lengths.tolist()} outside 0...{Ts}")
    for what, tokens in (("source", source), ("decoder_input", decoder_input)):
        if np.any((tokens < 0) | (tokens >= V)):
            raise ValueError(f"{what} has token ids outside 0..<{V}")
    if np.any(((targets < 0) & (targets != IGNORE)) | (targets >= V)):
        raise ValueError(f"targets has ids outside 0..<{V} other than {IGNORE}")
    return source, lengths, decoder_input, targets


def _forward(params, config, batch, label_smoothing):
    """The loss, the logits (B,Tt,V) and everything the backward reads."""
    cfg = _settings(config)
    shapes = expected_shapes(config)
    for name, shape in shapes.items():
        if name not in params:
            raise KeyError(f"parameter {name} {shape} is missing")
        if tuple(np.shape(params[name])) != shape:
            raise ValueError(f"parameter {name} has shape {tuple(np.shape(params[name]))}, the config says {shape}")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label smoothing {label_smoothing} outside [0, 1]")
    P = {name: np.asarray(params[name], dtype=np.float64) for name in shapes}
    cell = CELLS[cfg["cell"]]
    V, E, H, L = cfg["vocabulary"], cfg["embedding"], cfg["hidden"], cfg["layers"]
    kind = cfg["attention"]
    directions = ["forward", "backward"] if cfg["bidirectional"] else [None]
    source, lengths, decoder_input, targets = _batch_arrays(batch, V)
    B, Ts = source.shape
    Tt = decoder_input.shape[1]
    if kind != "none" and Ts < 1:
        raise ValueError("attention needs a source of at least one token")
    # encoder
    x = P["encoder.embedding.weight"][source]
    encoder = []  # per layer: (input, [(steps, final h, final c)] per direction)
    for l in range(L):
        outputs, finals = [], []
        for d in directions:
            name = f"encoder.layers.{l}" + (f".{d}" if d else "")
            p = _weights(P, name)
            out, h, c, steps = _sequence_forward(cell, p, x, lengths, d == "backward", H)
            outputs.append(out)
            finals.append((steps, h, c))
        encoder.append((x, finals))
        x = np.concatenate(outputs, axis=2)
    keys = x
    mask = np.arange(Ts)[None, :] < lengths[:, None]

    # the decoder's first state
    states, cells, bridge_inputs = [], [], []
    for l in range(L):
        finals = encoder[l][1]
        if cfg["bidirectional"]:
            joined = np.concatenate([finals[0][1], finals[1][1]], axis=1)
            bridge_inputs.append(joined)
            states.append(np.tanh(joined @ P[f"decoder.bridge.{l}.weight"].T + P[f"decoder.bridge.{l}.bias"]))
            cells.append(np.zeros((B, H)) if cell.has_cell else None)
        else:
            states.append(finals[0][1])
            cells.append(finals[0][2])
    first_states = list(states)

    projected = None
    if kind == "additive":
        projected = keys @ P["decoder.attention.U"].T
    elif kind == "general":
        projected = keys @ P["decoder.attention.W"].T

    # decoder, teacher-forced
    embedded = P["decoder.embedding.weight"][decoder_input]          # (B,Tt,E)
    rows, decoder = [], []
    for t in range(Tt):
        attention = None
        layer_input = embedded[:, t]
        if kind != "none":
            # Bahdanau's timing for every kind: the context reads the previous top state
            context, attention = _attention_forward(kind, P, states[L - 1], keys, projected, mask)
            layer_input = np.concatenate([layer_input, context], axis=1)
        caches = []
        for l in range(L):
            p = _weights(P, f"decoder.layers.{l}")
            states[l], cells[l], cache = cell.forward(p, layer_input, states[l], cells[l])
            caches.append(cache)
            layer_input = states[l]
        rows.append(np.concatenate([states[L - 1], context], axis=1) if kind != "none" else states[L - 1])
        decoder.append((attention, caches))
    rows = np.stack(rows, axis=1) if Tt > 0 else np.zeros((B, 0, P["output.weight"].shape[1]))
    logits = rows @ P["output.weight"].T + P["output.bias"]

    # loss = lse - (1 - eps) z_t - eps/V sum_j z_j per counted row, mean over the counted rows
    flat = logits.reshape(B * Tt, V)
    flat_targets = targets.reshape(B * Tt)
    counted = flat_targets != IGNORE
    shifted = flat - flat.max(axis=1, keepdims=True)
    exps = np.exp(shifted)
    sums = exps.sum(axis=1)
    probabilities = exps / sums[:, None]
    safe_targets = np.where(counted, flat_targets, 0)
    losses = (np.log(sums) - (1.0 - label_smoothing) * shifted[np.arange(B * Tt), safe_targets]
              - label_smoothing / V * shifted.sum(axis=1))
    n = int(counted.sum())
    loss = float(losses[counted].sum() / n) if n > 0 else 0.0

    tape = dict(cfg=cfg, P=P, cell=cell, directions=directions, source=source, lengths=lengths,
                decoder_input=decoder_input, encoder=encoder, keys=keys, projected=projected,
                bridge_inputs=bridge_inputs, first_states=first_states, decoder=decoder, rows=rows,
                probabilities=probabilities, targets=flat_targets, counted=counted, n=n,
                label_smoothing=label_smoothing, B=B, Ts=Ts, Tt=Tt)
    return loss, logits, tape


def _backward(tape):
    cfg, P, cell = tape["cfg"], tape["P"], tape["cell"]
    V, E, H, L = cfg["vocabulary"], cfg["embedding"], cfg["hidden"], cfg["layers"]
    kind = cfg["attention"]
    B, Ts, Tt = tape["B"], tape["Ts"], tape["Tt"]
    g = {k: np.zeros_like(v) for k, v in P.items()}

    # d loss / d logits = (p - q) / counted on the counted rows
    dlogits = np.zeros((B * Tt, V))
    if tape["n"] > 0:
        eps, counted = tape["label_smoothing"], tape["counted"]
        q = np.full((B * Tt, V), eps / V)
        q[np.arange(B * Tt), np.where(counted, tape["targets"], 0)] += 1.0 - eps
        dlogits = np.where(counted[:, None], tape["probabilities"] - q, 0.0) / tape["n"]
    dlogits = dlogits.reshape(B, Tt, V)
    rows = tape["rows"]
    g["output.weight"] += np.einsum("btv,btd->vd", dlogits, rows)
    g["output.bias"] += dlogits.sum(axis=(0, 1))
    drows = dlogits @ P["output.weight"]

    # decoder, back through time
    keys, projected = tape["keys"], tape["projected"]
    dkeys = np.zeros_like(keys)
    dprojected = np.zeros_like(projected) if projected is not None else None
    dstates = [np.zeros((B, H)) for _ in range(L)]
    dcells = [np.zeros((B, H)) if cell.has_cell else None for _ in range(L)]
    dembedded = np.zeros((B, Tt, E))
    for t in range(Tt - 1, -1, -1):
        attention, caches = tape["decoder"][t]
        dstates[L - 1] = dstates[L - 1] + drows[:, t, :H]
        dcontext = drows[:, t, H:].copy() if kind != "none" else None
        for l in range(L - 1, -1, -1):
            p, gl = _layer(P, g, f"decoder.layers.{l}")
            dinput, dstates[l], dcells[l] = cell.backward(p, gl, caches[l], dstates[l], dcells[l])
            if l > 0:
                dstates[l - 1] = dstates[l - 1] + dinput
            else:
                dembedded[:, t] = dinput[:, :E]
                if kind != "none":
                    dcontext += dinput[:, E:]
        if kind != "none":
            # the context read s_{t-1}^{L-1}, whose gradient dstates[L-1] now holds
            dstates[L - 1] = dstates[L - 1] + _attention_backward(kind, P, g, attention, dcontext, keys, projected,
                                                                  dkeys, dprojected)
    np.add.at(g["decoder.embedding.weight"], tape["decoder_input"], dembedded)
    if kind == "additive":
        dkeys += dprojected @ P["decoder.attention.U"]
        g["decoder.attention.U"] += np.einsum("bja,bjk->ak", dprojected, keys)
    elif kind == "general":
        dkeys += dprojected @ P["decoder.attention.W"]
        g["decoder.attention.W"] += np.einsum("bjh,bjk->hk", dprojected, keys)

    # encoder, top layer first; doutputs is d loss / d o^l
    doutputs = dkeys
    for l in range(L - 1, -1, -1):
        x, finals = tape["encoder"][l]
        if cfg["bidirectional"]:
            s0 = tape["first_states"][l]
            dpre = dstates[l] * (1.0 - s0 * s0)
            g[f"decoder.bridge.{l}.weight"] += dpre.T @ tape["bridge_inputs"][l]
            g[f"decoder.bridge.{l}.bias"] += dpre.sum(axis=0)
            djoined = dpre @ P[f"decoder.bridge.{l}.weight"]
            # the first cell state is 0, whatever the encoder's final cells: they get no gradient
            dfinal = [(djoined[:, :H], np.zeros((B, H))), (djoined[:, H:], np.zeros((B, H)))]
        else:
            dfinal = [(dstates[l], dcells[l] if cell.has_cell else None)]
        dx = np.zeros_like(x)
        for i, d in enumerate(tape["directions"]):
            name = f"encoder.layers.{l}" + (f".{d}" if d else "")
            p, gl = _layer(P, g, name)
            steps = finals[i][0]
            dx += _sequence_backward(cell, p, gl, steps, doutputs[:, :, i * H:(i + 1) * H],
                                     dfinal[i][0], dfinal[i][1], x.shape[2])
        doutputs = dx
    np.add.at(g["encoder.embedding.weight"], tape["source"], doutputs)
    return g


def loss_and_grads(params, config, batch, label_smoothing):
    """The training loss of ablate's RNN baseline on `batch` (teacher forcing, no dropout) and its
    gradient with respect to every entry of `params` (zeros for a tensor the model does not read)."""
    loss, _, tape = _forward(params, config, batch, float(label_smoothing))
    g = _backward(tape)
    grads = {name: (g[name].copy() if name in g else np.zeros(np.shape(value), dtype=np.float64))
             for name, value in params.items()}
    return loss, grads


def logits(params, config, batch):
    """The teacher-forced logits (B, Tt, V) of `batch`: what `ablate predict --json` prints when the
    decoder input is the start token followed by the tokens it decoded."""
    return _forward(params, config, batch, 0.0)[1]


def loss(params, config, batch, label_smoothing):
    """The loss alone (the forward of `loss_and_grads`)."""
    return _forward(params, config, batch, float(label_smoothing))[0]


# ---------------------------------------------------------------------------------------------
# Self-check: the backward against central differences of the forward.


def random_case(cell, attention, bidirectional, layers, seed, empty_row=False):
    """A tiny config, random parameters and a padded batch (variable source and target lengths)."""
    rng = np.random.default_rng(seed)
    config = {"arch": "rnn", "cell": cell, "attention": attention, "embedding": 3, "hidden": 4, "layers": layers,
              "bidirectional": bidirectional, "attention_size": 5, "vocabulary": 7, "dropout": 0}
    params = {}
    for name, shape in expected_shapes(config).items():
        scale = 1.0 if name.endswith("embedding.weight") else 0.6
        params[name] = rng.normal(0.0, scale, size=shape)
    B, Ts, Tt = 3, 5, 4
    source_lengths = np.array([Ts, 3, 0 if empty_row else 1])
    target_lengths = np.array([Tt, 2, 3])
    source = rng.integers(0, 7, size=(B, Ts))
    source[np.arange(Ts)[None, :] >= source_lengths[:, None]] = 0
    target = rng.integers(1, 7, size=(B, Tt))
    padded = np.arange(Tt)[None, :] >= target_lengths[:, None]
    decoder_input = np.concatenate([np.zeros((B, 1), dtype=np.int64), target[:, :-1]], axis=1)
    decoder_input[padded] = 0
    targets = np.where(padded, IGNORE, target)
    batch = {"size": B, "source_length": Ts, "source": source.reshape(-1).tolist(),
             "source_lengths": source_lengths.tolist(), "target_length": Tt,
             "decoder_input": decoder_input.reshape(-1).tolist(), "targets": targets.reshape(-1).tolist(),
             "target_lengths": target_lengths.tolist(), "labels": []}
    return params, config, batch


def gradient_error(params, config, batch, label_smoothing, step=1e-3):
    """{name: max |analytic - numeric| / max(|analytic|, |numeric|) over the tensor}.

    The numeric gradient is the fourth-order central difference
    (-f(x+2h) + 8 f(x+h) - 8 f(x-h) + f(x-2h)) / 12h: with the two-point one, rounding (about
    1e-16 |loss| / h) already reaches 1e-7 of the tensors whose gradients are near 1e-4 (the
    attention's W, the lower encoder layers), too close to the tolerance to tell a bug from noise.
    """
    _, grads = loss_and_grads(params, config, batch, label_smoothing)
    errors = {}
    for name, value in params.items():
        numeric = np.zeros_like(value)
        flat, out = value.reshape(-1), numeric.reshape(-1)
        for i in range(flat.size):
            keep = flat[i]
            f = {}
            for k in (-2, -1, 1, 2):
                flat[i] = keep + k * step
                f[k] = loss(params, config, batch, label_smoothing)
            flat[i] = keep
            out[i] = (f[-2] - 8 * f[-1] + 8 * f[1] - f[2]) / (12 * step)
        scale = max(np.abs(numeric).max(), np.abs(grads[name]).max())
        # a tensor whose gradient is zero both ways (nothing reads it) passes
        errors[name] = 0.0 if scale < 1e-12 else float(np.abs(grads[name] - numeric).max() / scale)
    return errors


def padding_error(params, config, batch):
    """max |logits of a row in the padded batch - logits of that example alone, unpadded|.

    Finite differences only test the backward against this forward; this tests the padding
    against its meaning: an example's outputs must not depend on the batch it is padded into
    (which is what ablate's carried states and masked keys are for), so a padded row can be
    compared with ablate wherever a single unpadded example can (ablate predict, for instance).
    """
    B, Ts, Tt = batch["size"], batch["source_length"], batch["target_length"]
    together = logits(params, config, batch)
    worst = 0.0
    for b in range(B):
        n = batch["source_lengths"][b]
        if n == 0 and config["attention"] != "none":
            continue  # ablate refuses a source of no token with attention: nothing to compare with
        alone = {"size": 1, "source_length": n, "source": batch["source"][b * Ts:b * Ts + n], "source_lengths": [n],
                 "target_length": Tt, "decoder_input": batch["decoder_input"][b * Tt:(b + 1) * Tt],
                 "targets": batch["targets"][b * Tt:(b + 1) * Tt], "target_lengths": [batch["target_lengths"][b]],
                 "labels": []}
        worst = max(worst, float(np.abs(logits(params, config, alone)[0] - together[b]).max()))
    return worst


# The subset --quick checks (the test suite runs it): each cell, each attention and both directions
# at least once, and two stacked layers.
QUICK = {("gru", "additive", False, 1), ("lstm", "general", True, 2), ("gru", "dot", False, 2),
         ("lstm", "none", False, 1), ("gru", "none", True, 1), ("lstm", "additive", True, 1)}


def self_check(tolerance=1e-6, quick=False):
    failures, worst, cases = 0, 0.0, 0
    seed = 0
    for cell in ("gru", "lstm"):
        for attention in ("additive", "dot", "general", "none"):
            for bidirectional in (False, True):
                if attention == "dot" and bidirectional:
                    continue  # not a valid ablate config (see _settings)
                for layers in (1, 2):
                    seed += 1
                    if quick and (cell, attention, bidirectional, layers) not in QUICK:
                        continue
                    empty_row = seed % 2 == 0  # some batches have a row with no source at all
                    smoothing = 0.1 if seed % 3 else 0.0
                    params, config, batch = random_case(cell, attention, bidirectional, layers, seed, empty_row)
                    errors = gradient_error(params, config, batch, smoothing)
                    name, error = max(errors.items(), key=lambda item: item[1])
                    bad = [n for n, e in errors.items() if not e < tolerance]
                    padding = padding_error(params, config, batch)
                    if not padding < 1e-12:
                        bad.append("padding")
                        errors["padding"] = padding
                    cases += 1
                    worst = max(worst, error)
                    label = (f"{cell} {attention:8} {'bi ' if bidirectional else 'uni'} L{layers} "
                             f"eps {smoothing} {'empty row' if empty_row else 'no empty row'}")
                    print(f"{'FAIL' if bad else 'ok  '} {label}: gradient {error:.2e} ({name}), "
                          f"padded vs alone {padding:.1e}")
                    if bad:
                        failures += 1
                        for n in bad:
                            print(f"     {n}: {errors[n]:.2e}")
    print(f"{cases - failures} passed, {failures} failed (worst relative error {worst:.2e}, tolerance {tolerance:g})")
    return failures == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--self-check", action="store_true",
                        help="compare the backward with central finite differences on tiny random models")
    parser.add_argument("--quick", action="store_true",
                        help="with --self-check: six of the 28 configurations (every cell, attention and direction)")
    arguments = parser.parse_args()
    if not arguments.self_check:
        parser.print_help()
        return 2
    return 0 if self_check(quick=arguments.quick) else 1


if __name__ == "__main__":
    sys.exit(main())
