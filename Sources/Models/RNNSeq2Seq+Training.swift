import Layers
import Tensors

extension RNNSeq2Seq {
    /// The forward pass and the loss, with teacher forcing: the decoder reads `batch.decoderInput`
    /// (B, Tt) and the loss is the mean cross-entropy over the targets that are not -1. With a dropout
    /// `rng` and `config.dropout > 0`, dropout is applied (training); with nil it is not (evaluation).
    ///
    /// Dropout draws, in order: the source embeddings, the input of each encoder layer above the first,
    /// the target embeddings, then at each step the input of each decoder layer above the first.
    /// The logits of all steps come from one GEMM after the loop, over the stored rows [s_t; c_t].
    public func forward(_ batch: SequenceBatch, workspace w: Workspace, labelSmoothing: Float = 0, rng: inout RNG?) -> LossResult {
        let B = batch.size, Tt = batch.targetLength, V = config.vocabulary
        precondition(Tt <= w.maxTargetLength, "target length \(Tt) in a workspace for \(w.maxTargetLength)")
        w.dropout = rng == nil ? 0 : config.dropout
        w.labelSmoothing = labelSmoothing
        loadSource(batch.source, lengths: batch.sourceLengths, batch: B, length: batch.sourceLength, workspace: w)
        w.targetLength = Tt
        for i in 0..<B * Tt {
            w.decoderTokens[i] = batch.decoderInput[i]
            w.targetBuffer[i] = batch.targets[i]
        }
        encode(w, rng: &rng)
        startDecoder(w)
        // x_t = dropout(embed(y_{t-1})) for all steps at once, (B, Tt, E)
        targetEmbedding.forward(out: w.targetEmbedded.data, tokens: w.decoderTokens, rows: B * Tt, parameters: parameters)
        if w.dropoutUsed {
            dropoutForward(out: w.targetEmbedded.data, mask: w.targetMask.data, inp: w.targetEmbedded.data, probability: w.dropout,
                           rng: &rng!, count: B * Tt * config.embeddingSize)
        }
        for t in 0..<Tt { decoderStep(t, workspace: w, rng: &rng) }
        // logits = [s_t; c_t] W_o^T + b_o for every (b, t)
        output.forward(out: w.logits.data, inp: w.outputRows.data, rows: B * Tt, parameters: parameters)
        let (loss, counted) = crossEntropyForward(losses: w.losses.data, probabilities: w.probabilities.data, logits: w.logits.data,
                                                  targets: w.targetBuffer, rows: B * Tt, V: V, labelSmoothing: labelSmoothing,
                                                  ignoreIndex: SequenceBatch.ignore)
        w.counted = counted
        let (correct, _) = argmaxAccuracy(logits: w.logits.data, targets: w.targetBuffer, rows: B * Tt, V: V,
                                          ignoreIndex: SequenceBatch.ignore)
        return LossResult(loss: loss, correct: correct, counted: counted)
    }

    /// Copies the source (B, Ts) and its lengths into the workspace and sets the batch shape.
    func loadSource(_ source: [Int32], lengths: [Int32], batch B: Int, length Ts: Int, workspace w: Workspace) {
        precondition(B <= w.maxBatch && Ts <= w.maxSourceLength,
                     "batch \(B) x source length \(Ts) in a workspace for \(w.maxBatch) x \(w.maxSourceLength)")
        precondition(source.count == B * Ts && lengths.count == B, "the source must be (B, Ts) with B lengths")
        precondition(attention == nil || Ts >= 1, "attention needs a source of at least one token")
        w.batch = B
        w.sourceLength = Ts
        for i in 0..<B * Ts { w.sourceTokens[i] = source[i] }
        for b in 0..<B { w.sourceLengths[b] = lengths[b] }
    }

    /// The input of encoder layer l, (B, Ts, I_l): the embedded source, or o^{l-1} after dropout.
    func encoderInput(_ l: Int, _ w: Workspace) -> UnsafeMutablePointer<Float> {
        if l == 0 { return w.sourceEmbedded.data }
        return w.dropoutUsed ? w.encoderInputs[l].data : w.encoderOutputs[l - 1].data
    }

    /// The input of decoder layer l at step t, (B, I_l): [embedding; context] rows, or s_t^{l-1} after dropout.
    func decoderInput(_ l: Int, step t: Int, _ w: Workspace) -> UnsafeMutablePointer<Float> {
        let B = w.batch, H = config.hidden
        if l == 0 { return w.decoderInputs[0].data + t * B * decoderInputSize }
        return w.dropoutUsed ? w.decoderInputs[l].data + t * B * H : w.state(l - 1, slot: t + 1)
    }

    /// The encoder over the loaded source: o^l for every layer, the final states, and the attention's
    /// per-batch key projection (U K for additive attention).
    func encode(_ w: Workspace, rng: inout RNG?) {
        let B = w.batch, T = w.sourceLength, E = config.embeddingSize, H = config.hidden, He = encoderOutputSize
        // x^0 = dropout(embed(source))
        sourceEmbedding.forward(out: w.sourceEmbedded.data, tokens: w.sourceTokens, rows: B * T, parameters: parameters)
        if w.dropoutUsed {
            dropoutForward(out: w.sourceEmbedded.data, mask: w.sourceMask.data, inp: w.sourceEmbedded.data, probability: w.dropout,
                           rng: &rng!, count: B * T * E)
        }
        for l in 0..<config.layers {
            // x^l = dropout(o^{l-1})
            if l > 0 && w.dropoutUsed {
                dropoutForward(out: w.encoderInputs[l].data, mask: w.encoderMasks[l].data, inp: w.encoderOutputs[l - 1].data,
                               probability: w.dropout, rng: &rng!, count: B * T * He)
            }
            let input = encoderInput(l, w)
            for d in 0..<directions {
                encoder[l][d].forward(outputs: w.directionOutputs[l][d].data, finalState: w.finalStates[l][d].data,
                                      finalCell: w.finalCell(l, d), inputs: input, initialState: nil, initialCell: nil,
                                      batch: B, length: T, lengths: w.sourceLengths, reverse: d == 1,
                                      activations: w.encoderActivations[l][d], parameters: parameters)
            }
            if directions == 2 {
                // o^l[b, t] = [forward[b, t]; backward[b, t]]
                let out = w.encoderOutputs[l].data, forward = w.directionOutputs[l][0].data, backward = w.directionOutputs[l][1].data
                for r in 0..<B * T {
                    copyValues(out: out + r * He, inp: forward + r * H, count: H)
                    copyValues(out: out + r * He + H, inp: backward + r * H, count: H)
                }
            }
        }
        if let attention, let activations = w.attentionActivations {
            attention.precompute(keys: w.encoderOutputs[config.layers - 1].data, batch: B, keyLength: T,
                                 activations: activations, parameters: parameters)
        }
    }

    /// Sets slot 0 of every decoder layer from the encoder's final states: s_{-1}^l = h_final^l and
    /// c_{-1}^l = c_final^l, or with a bidirectional encoder s_{-1}^l = tanh(bridge^l([h_fwd; h_bwd])), c = 0.
    func startDecoder(_ w: Workspace) {
        let B = w.batch, H = config.hidden
        for l in 0..<config.layers {
            let state = w.state(l, slot: 0)
            if config.bidirectional {
                let concatenated = w.bridgeInputs[l].data
                for b in 0..<B {
                    copyValues(out: concatenated + b * 2 * H, inp: w.finalStates[l][0].data + b * H, count: H)
                    copyValues(out: concatenated + b * 2 * H + H, inp: w.finalStates[l][1].data + b * H, count: H)
                }
                bridges[l].forward(out: state, inp: concatenated, rows: B, parameters: parameters)
                tanhForward(out: state, inp: state, count: B * H)
                w.cell(l, slot: 0)?.update(repeating: 0, count: B * H)
            } else {
                copyValues(out: state, inp: w.finalStates[l][0].data, count: B * H)
                if let cell = w.cell(l, slot: 0) { copyValues(out: cell, inp: w.finalCell(l, 0)!, count: B * H) }
            }
        }
    }

    /// One decoder step for every row, from the embedded token in `targetEmbedded[:, t]`: attention on
    /// s_{t-1}^{L-1}, the stacked cells, and the output row [s_t^{L-1}; c_t] into `outputRows[:, t]`.
    func decoderStep(_ t: Int, workspace w: Workspace, rng: inout RNG?) {
        let B = w.batch, Ts = w.sourceLength, Tt = w.targetLength
        let E = config.embeddingSize, H = config.hidden, He = encoderOutputSize, I0 = decoderInputSize, D = outputRowSize
        let top = config.layers - 1
        let input = w.decoderInputs[0].data + t * B * I0
        for b in 0..<B { copyValues(out: input + b * I0, inp: w.targetEmbedded.data + (b * Tt + t) * E, count: E) }
        let context = w.contexts.data + t * B * He
        if let attention, let activations = w.attentionActivations {
            // c_t = attention(s_{t-1}^{L-1}, K)
            attention.forward(weights: w.attentionWeights.data + t * B * Ts, context: context, state: w.state(top, slot: t),
                              keys: w.encoderOutputs[top].data, keyLengths: w.sourceLengths, batch: B, keyLength: Ts, time: t,
                              activations: activations, parameters: parameters)
            for b in 0..<B { copyValues(out: input + b * I0 + E, inp: context + b * He, count: He) }
        }
        for l in 0..<config.layers {
            // input of layer l = dropout(s_t^{l-1})
            if l > 0 && w.dropoutUsed {
                dropoutForward(out: w.decoderInputs[l].data + t * B * H, mask: w.decoderMasks[l].data + t * B * H,
                               inp: w.state(l - 1, slot: t + 1), probability: w.dropout, rng: &rng!, count: B * H)
            }
            // s_t^l = RNN^l(input, s_{t-1}^l)
            decoder[l].step(newState: w.state(l, slot: t + 1), newCell: w.cell(l, slot: t + 1), input: decoderInput(l, step: t, w),
                            state: w.state(l, slot: t), cell: w.cell(l, slot: t), batch: B, time: t,
                            activations: w.decoderActivations[l], parameters: parameters)
        }
        let state = w.state(top, slot: t + 1)
        for b in 0..<B {
            let row = w.outputRows.data + (b * Tt + t) * D
            copyValues(out: row, inp: state + b * H, count: H)
            if attention != nil { copyValues(out: row + H, inp: context + b * He, count: He) }
        }
    }

    /// Accumulates d loss / d parameters into `parameters.gradients` for the last `forward` on `w`
    /// (backpropagation through time). Zero the gradients first unless accumulating over batches.
    public func backward(workspace w: Workspace) {
        let B = w.batch, Tt = w.targetLength, V = config.vocabulary, E = config.embeddingSize, D = outputRowSize
        // loss = mean cross-entropy(logits)
        w.logitsGradient.data.update(repeating: 0, count: B * Tt * V)
        if w.counted > 0 {
            crossEntropyBackward(dlogits: w.logitsGradient.data, probabilities: w.probabilities.data, targets: w.targetBuffer,
                                 rows: B * Tt, V: V, labelSmoothing: w.labelSmoothing, ignoreIndex: SequenceBatch.ignore,
                                 scale: 1 / Float(w.counted))
        }
        // logits = outputRows W_o^T + b_o
        w.outputRowsGradient.data.update(repeating: 0, count: B * Tt * D)
        output.backward(dinp: w.outputRowsGradient.data, dout: w.logitsGradient.data, inp: w.outputRows.data, rows: B * Tt,
                        parameters: parameters)
        for l in 0..<config.layers {
            w.stateGradients[l].data.update(repeating: 0, count: B * config.hidden)
            w.cellGradient(l)?.update(repeating: 0, count: B * config.hidden)
        }
        for t in stride(from: Tt - 1, through: 0, by: -1) { decoderStepBackward(t, workspace: w) }
        // x_t = dropout(embed(y_{t-1}))  =>  dembed = dx * mask
        if w.dropoutUsed {
            multiply(out: w.targetEmbeddedGradient.data, a: w.targetEmbeddedGradient.data, b: w.targetMask.data, count: B * Tt * E)
        }
        targetEmbedding.backward(dout: w.targetEmbeddedGradient.data, tokens: w.decoderTokens, rows: B * Tt, parameters: parameters)
        // the keys K = o^{L-1}: their gradient from every step, then the key projection's
        w.encoderOutputGradient.data.update(repeating: 0, count: B * w.sourceLength * encoderOutputSize)
        if let attention, let activations = w.attentionActivations {
            attention.finishBackward(dkeys: w.encoderOutputGradient.data, keys: w.encoderOutputs[config.layers - 1].data, batch: B,
                                     keyLength: w.sourceLength, activations: activations, parameters: parameters)
        }
        encoderBackward(w)
    }

    /// The backward of `decoderStep(t)`. On entry `stateGradients[l]` (and `cellGradients[l]`) hold
    /// d loss / d s_t^l from the later steps; on exit they hold d loss / d s_{t-1}^l.
    func decoderStepBackward(_ t: Int, workspace w: Workspace) {
        let B = w.batch, Ts = w.sourceLength, Tt = w.targetLength
        let E = config.embeddingSize, H = config.hidden, He = encoderOutputSize, I0 = decoderInputSize, D = outputRowSize
        let top = config.layers - 1
        let dContext = w.contextGradient.data
        // outputRows[b, t] = [s_t^{L-1}; c_t]
        for b in 0..<B {
            let row = w.outputRowsGradient.data + (b * Tt + t) * D
            axpy(y: w.stateGradients[top].data + b * H, alpha: 1, x: row, count: H)
            if attention != nil { copyValues(out: dContext + b * He, inp: row + H, count: He) }
        }
        let dPrevious = w.previousStateGradient.data, dPreviousCell = w.cellGradients.isEmpty ? nil : w.previousCellGradient.data
        for l in stride(from: top, through: 0, by: -1) {
            let inputSize = l == 0 ? I0 : H
            let dInput = w.inputGradient.data
            dInput.update(repeating: 0, count: B * inputSize)
            dPrevious.update(repeating: 0, count: B * H)
            dPreviousCell?.update(repeating: 0, count: B * H)
            // s_t^l = RNN^l(input, s_{t-1}^l)
            decoder[l].stepBackward(dinput: dInput, dstate: dPrevious, dcell: dPreviousCell, dnewState: w.stateGradients[l].data,
                                    dnewCell: w.cellGradient(l), input: decoderInput(l, step: t, w), state: w.state(l, slot: t),
                                    cell: w.cell(l, slot: t), batch: B, time: t, activations: w.decoderActivations[l],
                                    parameters: parameters)
            copyValues(out: w.stateGradients[l].data, inp: dPrevious, count: B * H)
            if let dPreviousCell, let dCell = w.cellGradient(l) { copyValues(out: dCell, inp: dPreviousCell, count: B * H) }
            if l > 0 {
                // input = dropout(s_t^{l-1})  =>  ds_t^{l-1} += dinput * mask
                if w.dropoutUsed {
                    dropoutBackward(dinp: w.stateGradients[l - 1].data, dout: dInput, mask: w.decoderMasks[l].data + t * B * H, count: B * H)
                } else {
                    axpy(y: w.stateGradients[l - 1].data, alpha: 1, x: dInput, count: B * H)
                }
            } else {
                // input = [x_t; c_t]
                for b in 0..<B {
                    copyValues(out: w.targetEmbeddedGradient.data + (b * Tt + t) * E, inp: dInput + b * I0, count: E)
                    if attention != nil { axpy(y: dContext + b * He, alpha: 1, x: dInput + b * I0 + E, count: He) }
                }
            }
        }
        if let attention, let activations = w.attentionActivations {
            // c_t = attention(s_{t-1}^{L-1}, K): stateGradients[top] now holds d loss / d s_{t-1}^{L-1}
            attention.backward(dstate: w.stateGradients[top].data, dcontext: dContext, dweights: nil,
                               weights: w.attentionWeights.data + t * B * Ts, state: w.state(top, slot: t),
                               keys: w.encoderOutputs[top].data, keyLengths: w.sourceLengths, batch: B, keyLength: Ts, time: t,
                               activations: activations, parameters: parameters)
        }
    }

    /// The backward of `startDecoder` and `encode`, from the gradients of the decoder's initial states
    /// (`stateGradients`, `cellGradients`) and of the keys (`encoderOutputGradient`).
    func encoderBackward(_ w: Workspace) {
        let B = w.batch, T = w.sourceLength, E = config.embeddingSize, H = config.hidden, He = encoderOutputSize
        let dOutputs = w.encoderOutputGradient.data
        for l in stride(from: config.layers - 1, through: 0, by: -1) {
            let dFinalStates: [UnsafePointer<Float>], dFinalCells: [UnsafePointer<Float>?]
            let dDirections: [UnsafePointer<Float>]
            if config.bidirectional {
                // s_{-1}^l = tanh(p), p = [h_fwd; h_bwd] W_b^T + b_b  =>  dp = ds (1 - s^2), then the Linear
                let dPre = w.bridgeGradient.data, dConcatenated = w.bridgeInputGradient.data
                dPre.update(repeating: 0, count: B * H)
                tanhBackward(dinp: dPre, dout: w.stateGradients[l].data, out: w.state(l, slot: 0), count: B * H)
                dConcatenated.update(repeating: 0, count: B * 2 * H)
                bridges[l].backward(dinp: dConcatenated, dout: dPre, inp: w.bridgeInputs[l].data, rows: B, parameters: parameters)
                for b in 0..<B {
                    copyValues(out: w.finalStateGradients[0].data + b * H, inp: dConcatenated + b * 2 * H, count: H)
                    copyValues(out: w.finalStateGradients[1].data + b * H, inp: dConcatenated + b * 2 * H + H, count: H)
                }
                dFinalStates = w.finalStateGradients.map { UnsafePointer($0.data) }
                dFinalCells = [nil, nil]  // c_{-1}^l = 0 does not depend on the encoder
                // o^l[b, t] = [forward[b, t]; backward[b, t]]
                for r in 0..<B * T {
                    copyValues(out: w.directionOutputGradients[0].data + r * H, inp: dOutputs + r * He, count: H)
                    copyValues(out: w.directionOutputGradients[1].data + r * H, inp: dOutputs + r * He + H, count: H)
                }
                dDirections = w.directionOutputGradients.map { UnsafePointer($0.data) }
            } else {
                // s_{-1}^l = h_final^l, c_{-1}^l = c_final^l
                dFinalStates = [UnsafePointer(w.stateGradients[l].data)]
                dFinalCells = [w.cellGradient(l).map { UnsafePointer($0) }]
                dDirections = [UnsafePointer(dOutputs)]
            }
            let inputSize = l == 0 ? E : He
            let dInputs = w.encoderInputGradient.data
            dInputs.update(repeating: 0, count: B * T * inputSize)
            let input = encoderInput(l, w)
            for d in 0..<directions {
                encoder[l][d].backward(dinputs: dInputs, dinitialState: nil, dinitialCell: nil, doutputs: dDirections[d],
                                       dfinalState: dFinalStates[d], dfinalCell: dFinalCells[d], inputs: input,
                                       batch: B, length: T, lengths: w.sourceLengths, reverse: d == 1,
                                      activations: w.encoderActivations[l][d], parameters: parameters)
            }
            if l > 0 {
                // x^l = dropout(o^{l-1})  =>  do^{l-1} = dx^l * mask (do^{l-1} has no other use)
                if w.dropoutUsed {
                    multiply(out: dOutputs, a: dInputs, b: w.encoderMasks[l].data, count: B * T * He)
                } else {
                    copyValues(out: dOutputs, inp: dInputs, count: B * T * He)
                }
            } else {
                // x^0 = dropout(embed(source))
                if w.dropoutUsed { multiply(out: dInputs, a: dInputs, b: w.sourceMask.data, count: B * T * E) }
                sourceEmbedding.backward(dout: dInputs, tokens: w.sourceTokens, rows: B * T, parameters: parameters)
            }
        }
    }
}
