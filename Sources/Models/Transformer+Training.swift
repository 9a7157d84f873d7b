import Layers
import Tensors

extension Transformer {
    /// The forward pass and the loss: mean cross-entropy over the targets that are not -1 (or over the
    /// labels of an encoder-only classifier), with teacher forcing. With a dropout `rng` and
    /// `config.dropout > 0`, dropout is applied (training); with nil it is not (evaluation).
    public func forward(_ batch: SequenceBatch, workspace w: Workspace, labelSmoothing: Float = 0, rng: inout RNG?) -> LossResult {
        let B = batch.size, C = config.modelSize
        precondition(B <= w.maxBatch, "batch of \(B) in a workspace for \(w.maxBatch)")
        let dropout = rng == nil ? 0 : config.dropout
        w.batch = B
        w.labelSmoothing = labelSmoothing

        let memory = sourceInput == nil ? nil : runEncoder(batch, workspace: w, dropout: dropout, rng: &rng)
        let rows: Int
        if let classifier, let memory {
            // h[CLS] is row 0 of every example.
            let T = w.encoderLength
            for b in 0..<B { copyValues(out: w.classRows.data + b * C, inp: memory + b * T * C, count: C) }
            classifier.forward(out: w.logits.data, inp: w.classRows.data, rows: B, parameters: parameters)
            for b in 0..<B { w.targetBuffer[b] = batch.labels[b] }
            rows = B
        } else {
            let T = batch.targetLength
            precondition(T <= w.maxTargetLength, "target length \(T) in a workspace for \(w.maxTargetLength)")
            requireLength(T, "decoder")
            w.targetLength = T
            for i in 0..<B * T {
                w.decoderTokens[i] = batch.decoderInput[i]
                w.targetBuffer[i] = batch.targets[i]
            }
            for b in 0..<B { w.decoderLengths[b] = batch.targetLengths[b] }
            w.targetDropoutUsed = targetInput!.forward(out: w.targetEmbedded.data, tokens: w.decoderTokens, batch: B, length: T,
                                                       dropout: dropout, rng: &rng, mask: w.targetMask.data, parameters: parameters)
            let x = runDecoder(w, batch: B, length: T, memory: memory, dropout: dropout, rng: &rng)
            if let output {
                output.forward(out: w.logits.data, inp: x, rows: B * T, parameters: parameters)
            } else {
                targetInput!.embedding.tiedOutputForward(logits: w.logits.data, inp: x, rows: B * T, parameters: parameters)
            }
            rows = B * T
        }
        let (loss, counted) = crossEntropyForward(losses: w.losses.data, probabilities: w.probabilities.data, logits: w.logits.data,
                                                  targets: w.targetBuffer, rows: rows, V: outputSize,
                                                  labelSmoothing: labelSmoothing, ignoreIndex: SequenceBatch.ignore)
        w.counted = counted
        let (correct, _) = argmaxAccuracy(logits: w.logits.data, targets: w.targetBuffer, rows: rows, V: outputSize,
                                          ignoreIndex: SequenceBatch.ignore)
        return LossResult(loss: loss, correct: correct, counted: counted)
    }

    /// The encoder over the batch's source ([CLS] + source for encoder-only); returns its output
    /// (after the final norm), (B, T, C).
    func runEncoder(_ batch: SequenceBatch, workspace w: Workspace, dropout: Float, rng: inout RNG?) -> UnsafePointer<Float> {
        let B = batch.size
        let sourceInput = sourceInput!
        let encoderOnly = config.layout == .encoderOnly
        let T = encoderOnly ? batch.sourceLength + 1 : batch.sourceLength
        precondition(batch.sourceLength <= w.maxSourceLength, "source length \(batch.sourceLength) in a workspace for \(w.maxSourceLength)")
        requireLength(T, "source")
        w.encoderLength = T
        for b in 0..<B {
            let row = w.encoderTokens + b * T
            if encoderOnly { row[0] = classToken }
            for t in 0..<batch.sourceLength { row[t + (encoderOnly ? 1 : 0)] = batch.source[b * batch.sourceLength + t] }
            w.encoderLengths[b] = batch.sourceLengths[b] + (encoderOnly ? 1 : 0)
            w.sourceLengths[b] = batch.sourceLengths[b]
        }
        w.sourceDropoutUsed = sourceInput.forward(out: w.sourceEmbedded.data, tokens: w.encoderTokens, batch: B, length: T,
                                                  dropout: dropout, rng: &rng, mask: w.sourceMask.data, parameters: parameters)
        var x = UnsafePointer(w.sourceEmbedded.data)
        let shape = TransformerBlock.Shape(batch: B, length: T, lengths: w.encoderLengths, memory: nil, memoryLength: 0, memoryLengths: nil)
        for (block, activations) in zip(encoder, w.encoderActivations) {
            block.forward(x: x, shape: shape, dropout: dropout, rng: &rng, activations: activations, parameters: parameters)
            x = UnsafePointer(activations.out.data)
        }
        if let encoderNorm, let normActivations = w.encoderNormActivations {
            encoderNorm.forward(out: w.encoderNormed.data, inp: x, rows: B * T, activations: normActivations, parameters: parameters)
            x = UnsafePointer(w.encoderNormed.data)
        }
        return x

    }

    /// The decoder stack over the embedded decoder input; returns its output (after the final norm).
    func runDecoder(_ w: Workspace, batch B: Int, length T: Int, memory: UnsafePointer<Float>?, dropout: Float, rng: inout RNG?) -> UnsafePointer<Float> {
        var x = UnsafePointer(w.targetEmbedded.data)
        let shape = TransformerBlock.Shape(batch: B, length: T, lengths: w.decoderLengths, memory: memory,
                                           memoryLength: w.encoderLength, memoryLengths: w.sourceLengths)
        for (block, activations) in zip(decoder, w.decoderActivations) {
            block.forward(x: x, shape: shape, dropout: dropout, rng: &rng, activations: activations, parameters: parameters)
            x = UnsafePointer(activations.out.data)
        }
        if let decoderNorm, let normActivations = w.decoderNormActivations {
            decoderNorm.forward(out: w.decoderNormed.data, inp: x, rows: B * T, activations: normActivations, parameters: parameters)
            x = UnsafePointer(w.decoderNormed.data)
        }
        return x
    }

    /// Accumulates d loss / d parameters into `parameters.gradients` for the last `forward` on `w`.
    /// Zero the gradients first (`parameters.zeroGradients()`) unless accumulating over batches.
    public func backward(workspace w: Workspace) {
        let B = w.batch, C = config.modelSize
        let rows = classifier == nil ? B * w.targetLength : B
        w.logitsGradient.data.update(repeating: 0, count: rows * outputSize)
        if w.counted > 0 {
            crossEntropyBackward(dlogits: w.logitsGradient.data, probabilities: w.probabilities.data, targets: w.targetBuffer,
                                 rows: rows, V: outputSize, labelSmoothing: w.labelSmoothing, ignoreIndex: SequenceBatch.ignore,
                                 scale: 1 / Float(w.counted))
        }
        var g: Tensor
        if let classifier {
            let T = w.encoderLength
            w.classRowsGradient.data.update(repeating: 0, count: B * C)
            classifier.backward(dinp: w.classRowsGradient.data, dout: w.logitsGradient.data, inp: w.classRows.data, rows: B, parameters: parameters)
            g = w.stackGradientA
            g.data.update(repeating: 0, count: B * T * C)
            for b in 0..<B { copyValues(out: g.data + b * T * C, inp: w.classRowsGradient.data + b * C, count: C) }
        } else {
            let T = w.targetLength
            let decoderOut = decoderNorm == nil
                ? UnsafePointer(w.decoderActivations.last!.out.data) : UnsafePointer(w.decoderNormed.data)
            g = w.stackGradientA
            g.data.update(repeating: 0, count: B * T * C)
            if let output {
                output.backward(dinp: g.data, dout: w.logitsGradient.data, inp: decoderOut, rows: B * T, parameters: parameters)
            } else {
                targetInput!.embedding.tiedOutputBackward(dinp: g.data, dlogits: w.logitsGradient.data, inp: decoderOut,
                                                          rows: B * T, parameters: parameters)
            }
            if config.layout == .encoderDecoder { w.memoryGradient.data.update(repeating: 0, count: B * w.encoderLength * C) }
            g = backwardStack(decoder, activations: w.decoderActivations, norm: decoderNorm, normActivations: w.decoderNormActivations,
                              input: w.targetEmbedded, gradient: g, batch: B, length: T, lengths: w.decoderLengths,
                              memory: encoderOutput(w), memoryGradient: config.layout == .encoderDecoder ? w.memoryGradient.data : nil,
                              memoryLength: w.encoderLength, memoryLengths: w.sourceLengths, workspace: w)
            targetInput!.backward(dout: g.data, tokens: w.decoderTokens, batch: B, length: T, dropoutUsed: w.targetDropoutUsed,
                                  mask: w.targetMask.data, parameters: parameters)
            guard config.layout == .encoderDecoder else { return }
            g = w.memoryGradient
        }
        let T = w.encoderLength
        g = backwardStack(encoder, activations: w.encoderActivations, norm: encoderNorm, normActivations: w.encoderNormActivations,
                          input: w.sourceEmbedded, gradient: g, batch: B, length: T, lengths: w.encoderLengths,
                          memory: nil, memoryGradient: nil, memoryLength: 0, memoryLengths: nil, workspace: w)
        sourceInput!.backward(dout: g.data, tokens: w.encoderTokens, batch: B, length: T, dropoutUsed: w.sourceDropoutUsed,
                              mask: w.sourceMask.data, parameters: parameters)
    }

    /// The encoder's output as the decoder saw it.
    func encoderOutput(_ w: Workspace) -> UnsafePointer<Float>? {
        guard config.layout == .encoderDecoder else { return nil }
        return encoderNorm == nil ? UnsafePointer(w.encoderActivations.last!.out.data) : UnsafePointer(w.encoderNormed.data)
    }

    /// Backward through a final norm (if any) and the blocks in reverse; returns the tensor holding
    /// d loss / d (stack input). `gradient` holds d loss / d (stack output) and may be overwritten.
    private func backwardStack(_ blocks: [TransformerBlock], activations: [TransformerBlock.Activations], norm: LayerNorm?,
                               normActivations: LayerNorm.Activations?, input: Tensor, gradient: Tensor, batch B: Int, length T: Int,
                               lengths: UnsafePointer<Int32>, memory: UnsafePointer<Float>?, memoryGradient: UnsafeMutablePointer<Float>?,
                               memoryLength: Int, memoryLengths: UnsafePointer<Int32>?, workspace w: Workspace) -> Tensor {
        let count = B * T * config.modelSize
        func other(_ t: Tensor) -> Tensor {
            if t === w.stackGradientA { return w.stackGradientB }
            return w.stackGradientA
        }
        var g = gradient
        if let norm, let normActivations {
            let next = other(g)
            next.data.update(repeating: 0, count: count)
            norm.backward(dinp: next.data, dout: g.data, inp: activations.last!.out.data, rows: B * T,
                          activations: normActivations, parameters: parameters)
            g = next
        }
        let shape = TransformerBlock.Shape(batch: B, length: T, lengths: lengths, memory: memory, memoryLength: memoryLength,
                                           memoryLengths: memoryLengths)
        for i in stride(from: blocks.count - 1, through: 0, by: -1) {
            let x = i == 0 ? UnsafePointer(input.data) : UnsafePointer(activations[i - 1].out.data)
            let next = other(g)
            next.data.update(repeating: 0, count: count)
            blocks[i].backward(dx: next.data, dmemory: memoryGradient, dout: g.data, x: x, shape: shape,
                               activations: activations[i], parameters: parameters)
            g = next
        }
        return g
    }

    /// Stops with a clear message when a sequence is longer than a learned positional table.
    func requireLength(_ length: Int, _ side: String) {
        precondition(config.positional != .learned || length <= config.maxLength,
                     "\(side) sequence of length \(length) is longer than the learned positional table (max_length \(config.maxLength)): raise model.max_length or shorten the sequences")
    }
}
