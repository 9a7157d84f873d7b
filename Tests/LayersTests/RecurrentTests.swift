import Foundation
import Layers
import Tensors
import TestSupport
import XCTest

/// A GRU or an LSTM layer run by the shared driver, so that every test runs on both. The recurrent
/// state is a list of (B,H) tensors: [h] for the GRU, [h, c] for the LSTM.
private final class Cell {
    enum Kind { case gru, lstm }
    let kind: Kind
    let B = 2, T = 4, I = 3, H = 5
    let parameters: ParameterSet
    let layer: RecurrentLayer
    let activations: RecurrentActivations
    var stateCount: Int { layer.cell.layout.hasCell ? 2 : 1 }

    init(_ kind: Kind, seed: UInt64 = 1) {
        self.kind = kind
        var layout = ParameterLayout()
        var rng = RNG(seed: seed, purpose: .initialization)
        layer = RecurrentLayer(kind == .gru ? GRU.self : LSTM.self, "encoder", inputSize: I, hiddenSize: H, layout: &layout)
        parameters = ParameterSet(layout)
        layer.initialize(parameters, rng: &rng)
        activations = layer.makeActivations(maxBatch: B, maxLength: T)
        // scale up the initial values so that the non-linearities are exercised away from 0
        for i in 0..<parameters.count { parameters.values[i] *= 2 }
    }

    func states(seed: UInt64) -> [Tensor] { (0..<stateCount).map { randomTensor([B, H], seed: seed + UInt64($0)) } }
    func zeroStates() -> [Tensor] { (0..<stateCount).map { _ in Tensor(shape: [B, H]) } }

    func forward(outputs: Tensor, finals: [Tensor], inputs: Tensor, initials: [Tensor]?, batch: Int? = nil,
                 length: Int? = nil, lengths: UnsafePointer<Int32>?, reverse: Bool) {
        layer.forward(outputs: outputs.data, finalState: finals[0].data, finalCell: cellOf(finals), inputs: inputs.data,
                      initialState: initials?[0].data, initialCell: initials.flatMap(cellOf), batch: batch ?? B,
                      length: length ?? T, lengths: lengths, reverse: reverse, activations: activations, parameters: parameters)
    }

    func backward(dinputs: Tensor, dinitials: [Tensor], doutputs: [Float], dfinals: [[Float]], inputs: Tensor,
                  lengths: UnsafePointer<Int32>?, reverse: Bool) {
        let run = { (dfinalCell: UnsafePointer<Float>?) in
            self.layer.backward(dinputs: dinputs.data, dinitialState: dinitials[0].data, dinitialCell: self.cellOf(dinitials),
                                doutputs: doutputs, dfinalState: dfinals[0], dfinalCell: dfinalCell, inputs: inputs.data,
                                batch: self.B, length: self.T, lengths: lengths, reverse: reverse,
                                activations: self.activations, parameters: self.parameters)
        }
        if dfinals.count > 1 { dfinals[1].withUnsafeBufferPointer { run($0.baseAddress) } } else { run(nil) }
    }

    func step(newStates: [Tensor], input: Tensor, states: [Tensor], time: Int) {
        layer.step(newState: newStates[0].data, newCell: cellOf(newStates), input: input.data, state: states[0].data,
                   cell: cellOf(states), batch: B, time: time, activations: activations, parameters: parameters)
    }

    func stepBackward(dinput: Tensor, dstates: [Tensor], dnewStates: [Tensor], input: Tensor, states: [Tensor], time: Int) {
        layer.stepBackward(dinput: dinput.data, dstate: dstates[0].data, dcell: cellOf(dstates), dnewState: dnewStates[0].data,
                           dnewCell: cellOf(dnewStates), input: input.data, state: states[0].data, cell: cellOf(states),
                           batch: B, time: time, activations: activations, parameters: parameters)
    }

    /// The cell c of a state list, nil for the GRU.
    private func cellOf(_ states: [Tensor]) -> UnsafeMutablePointer<Float>? { states.count > 1 ? states[1].data : nil }

    /// One step written from the equations in plain Float64 loops, independent of the kernels.
    func naiveStep(input: [Double], states: [[Double]]) -> [[Double]] {
        let wih = parameters.values(of: "encoder.weight_ih").map(Double.init)
        let whh = parameters.values(of: "encoder.weight_hh").map(Double.init)
        let bih = parameters.values(of: "encoder.bias_ih").map(Double.init)
        let bhh = parameters.values(of: "encoder.bias_hh").map(Double.init)
        func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }
        // row g of W_ih x + b_ih and of W_hh h + b_hh, for example b
        func xProjection(_ b: Int, _ g: Int) -> Double { (0..<I).reduce(bih[g]) { $0 + wih[g * I + $1] * input[b * I + $1] } }
        func hProjection(_ b: Int, _ g: Int) -> Double { (0..<H).reduce(bhh[g]) { $0 + whh[g * H + $1] * states[0][b * H + $1] } }
        var newStates = [[Double]](repeating: [Double](repeating: 0, count: B * H), count: stateCount)
        for b in 0..<B {
            for j in 0..<H {
                let h = states[0][b * H + j]
                if kind == .gru {
                    let r = sigmoid(xProjection(b, j) + hProjection(b, j))
                    let z = sigmoid(xProjection(b, H + j) + hProjection(b, H + j))
                    let n = tanh(xProjection(b, 2 * H + j) + r * hProjection(b, 2 * H + j))
                    newStates[0][b * H + j] = (1 - z) * n + z * h
                } else {
                    let i = sigmoid(xProjection(b, j) + hProjection(b, j))
                    let f = sigmoid(xProjection(b, H + j) + hProjection(b, H + j))
                    let g = tanh(xProjection(b, 2 * H + j) + hProjection(b, 2 * H + j))
                    let o = sigmoid(xProjection(b, 3 * H + j) + hProjection(b, 3 * H + j))
                    let c = f * states[1][b * H + j] + i * g
                    newStates[1][b * H + j] = c
                    newStates[0][b * H + j] = o * tanh(c)
                }
            }
        }
        return newStates
    }
}

/// Int32 lengths with a stable address for the duration of `body`.
private func withLengths<R>(_ lengths: [Int32]?, _ body: (UnsafePointer<Int32>?) -> R) -> R {
    guard let lengths else { return body(nil) }
    return lengths.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// Rows [t] of a (B,T,D) tensor as a (B,D) tensor.
private func timeSlice(_ x: Tensor, t: Int, B: Int, T: Int, D: Int) -> Tensor {
    let out = Tensor(shape: [B, D])
    for b in 0..<B { for d in 0..<D { out[b * D + d] = x[(b * T + t) * D + d] } }
    return out
}

final class RecurrentTests: XCTestCase {
    private let kinds: [Cell.Kind] = [.gru, .lstm]

    /// d L / d (inputs, initial state, every parameter) against central differences, with
    /// L = sum(w_out * outputs) + sum(w_final * final state), for both directions, with and without
    /// padding. GradientCheck's tolerances: absolute 2e-3 + relative 2e-2 (see its documentation).
    /// The backward must accumulate: every gradient buffer starts at a non-zero value.
    func testBackwardMatchesFiniteDifferences() {
        for kind in kinds {
            for reverse in [false, true] {
                for lengths in [nil, [4, 2], [1, 3]] as [[Int32]?] {
                    let cell = Cell(kind)
                    let what = "\(kind) reverse \(reverse) lengths \(lengths.map { "\($0)" } ?? "nil")"
                    let (B, T, I, H) = (cell.B, cell.T, cell.I, cell.H)
                    let inputs = randomTensor([B, T, I], seed: 10, low: -2, high: 2)
                    let initials = cell.states(seed: 20)
                    let outputs = Tensor(shape: [B, T, H]), finals = cell.zeroStates()
                    let outputWeights = randomFloats(B * T * H, seed: 30)
                    let finalWeights = (0..<cell.stateCount).map { randomFloats(B * H, seed: 40 + UInt64($0)) }
                    withLengths(lengths) { lengthPointer in
                        let loss = { () -> Double in
                            cell.forward(outputs: outputs, finals: finals, inputs: inputs, initials: initials,
                                         lengths: lengthPointer, reverse: reverse)
                            return weightedSum(outputs.data, outputWeights)
                                + zip(finals, finalWeights).reduce(0) { $0 + weightedSum($1.0.data, $1.1) }
                        }
                        _ = loss()
                        let start: Float = 0.25
                        let dinputs = Tensor(shape: [B, T, I], repeating: start)
                        let dinitials = initials.map { _ in Tensor(shape: [B, H], repeating: start) }
                        cell.parameters.gradients.fill(start)
                        cell.backward(dinputs: dinputs, dinitials: dinitials, doutputs: outputWeights, dfinals: finalWeights,
                                      inputs: inputs, lengths: lengthPointer, reverse: reverse)
                        var check = GradientCheck()
                        check.maximumProbes = 1000
                        let minus = { (t: Tensor) in t.array.map { $0 - start } }
                        let inputOutcome = check.check(buffer: inputs.data, count: inputs.count, analytic: minus(dinputs), loss: loss)
                        XCTAssertTrue(inputOutcome.passed, "\(what) inputs: \(inputOutcome)")
                        for (s, initial) in initials.enumerated() {
                            let outcome = check.check(buffer: initial.data, count: initial.count, analytic: minus(dinitials[s]), loss: loss)
                            XCTAssertTrue(outcome.passed, "\(what) initial state \(s): \(outcome)")
                        }
                        for slice in cell.parameters.slices {
                            let analytic = Array(UnsafeBufferPointer(start: cell.parameters.gradient(slice), count: slice.count)).map { $0 - start }
                            let outcome = check.check(buffer: cell.parameters.value(slice), count: slice.count, analytic: analytic, loss: loss)
                            XCTAssertTrue(outcome.passed, "\(what) \(slice.name): \(outcome)")
                        }
                    }
                }
            }
        }
    }

    /// The step API run T times gives the sequence forward's outputs and final state, and its backward
    /// run T times gives the sequence backward's gradients (to Float32 rounding: 1e-5 absolute).
    func testStepsMatchSequence() {
        for kind in kinds {
            let sequence = Cell(kind), stepped = Cell(kind)
            let (B, T, I, H) = (sequence.B, sequence.T, sequence.I, sequence.H)
            let inputs = randomTensor([B, T, I], seed: 11, low: -2, high: 2)
            let initials = sequence.states(seed: 21)
            let outputs = Tensor(shape: [B, T, H]), finals = sequence.zeroStates()
            sequence.forward(outputs: outputs, finals: finals, inputs: inputs, initials: initials, lengths: nil, reverse: false)
            let outputWeights = randomFloats(B * T * H, seed: 31)
            let finalWeights = (0..<sequence.stateCount).map { randomFloats(B * H, seed: 41 + UInt64($0)) }
            let dinputs = Tensor(shape: [B, T, I]), dinitials = sequence.zeroStates()
            sequence.parameters.zeroGradients()
            sequence.backward(dinputs: dinputs, dinitials: dinitials, doutputs: outputWeights, dfinals: finalWeights,
                              inputs: inputs, lengths: nil, reverse: false)

            var states = [initials]
            let stepInputs = (0..<T).map { timeSlice(inputs, t: $0, B: B, T: T, D: I) }
            for t in 0..<T {
                let next = stepped.zeroStates()
                stepped.step(newStates: next, input: stepInputs[t], states: states[t], time: t)
                states.append(next)
                let expected = timeSlice(outputs, t: t, B: B, T: T, D: H)
                let error = worstError(next[0].array, expected.array, relative: 0, absolute: 1e-5)
                XCTAssertLessThanOrEqual(error.ratio, 1, "\(kind) step \(t) output")
            }
            for s in 0..<sequence.stateCount {
                XCTAssertLessThanOrEqual(worstError(states[T][s].array, finals[s].array, relative: 0, absolute: 1e-5).ratio, 1,
                                         "\(kind) final state \(s)")
            }

            // backward through the steps: dstates[t] is d L / d (state before step t)
            let outputGradient = Tensor(shape: [B, T, H], values: outputWeights)
            let dstates = (0...T).map { _ in stepped.zeroStates() }
            for s in 0..<stepped.stateCount { dstates[T][s].copy(from: Tensor(shape: [B, H], values: finalWeights[s])) }
            let dstepInputs = (0..<T).map { _ in Tensor(shape: [B, I]) }
            stepped.parameters.zeroGradients()
            for t in stride(from: T - 1, through: 0, by: -1) {
                let doutput = timeSlice(outputGradient, t: t, B: B, T: T, D: H)
                for i in 0..<(B * H) { dstates[t + 1][0][i] += doutput[i] }
                stepped.stepBackward(dinput: dstepInputs[t], dstates: dstates[t], dnewStates: dstates[t + 1],
                                     input: stepInputs[t], states: states[t], time: t)
            }
            for t in 0..<T {
                let expected = timeSlice(dinputs, t: t, B: B, T: T, D: I)
                XCTAssertLessThanOrEqual(worstError(dstepInputs[t].array, expected.array, relative: 1e-4, absolute: 1e-5).ratio, 1,
                                         "\(kind) dinput at step \(t)")
            }
            for s in 0..<sequence.stateCount {
                XCTAssertLessThanOrEqual(worstError(dstates[0][s].array, dinitials[s].array, relative: 1e-4, absolute: 1e-5).ratio, 1,
                                         "\(kind) dinitial \(s)")
            }
            let parameterError = worstError(stepped.parameters.gradients.array, sequence.parameters.gradients.array,
                                            relative: 1e-4, absolute: 1e-5)
            XCTAssertLessThanOrEqual(parameterError.ratio, 1, "\(kind) parameter gradients, worst at \(parameterError.index)")
        }
    }

    /// The step API through the shared driver, T steps: d L / d (inputs, initial state, every parameter)
    /// against central differences, with L = sum_t w_t * h_t. The last cell is unused, so its gradient is
    /// passed as nil (zero). Tolerances as in `testBackwardMatchesFiniteDifferences`; the backward must
    /// accumulate into the input, initial-state and parameter gradients.
    func testStepBackwardMatchesFiniteDifferences() {
        for kind in kinds {
            let cell = Cell(kind)
            let (B, T, I, H) = (cell.B, cell.T, cell.I, cell.H)
            let inputs = (0..<T).map { randomTensor([B, I], seed: 50 + UInt64($0), low: -2, high: 2) }
            let initials = cell.states(seed: 60)
            let outputWeights = (0..<T).map { randomFloats(B * H, seed: 70 + UInt64($0)) }
            // states[t + 1] is the state after step t
            let states = [initials] + (0..<T).map { _ in cell.zeroStates() }
            let loss = { () -> Double in
                for t in 0..<T { cell.step(newStates: states[t + 1], input: inputs[t], states: states[t], time: t) }
                return (0..<T).reduce(0) { $0 + weightedSum(states[$1 + 1][0].data, outputWeights[$1]) }
            }
            _ = loss()
            let start: Float = 0.25
            cell.parameters.gradients.fill(start)
            let dinputs = inputs.map { _ in Tensor(shape: [B, I], repeating: start) }
            // dstates[t] is d L / d (state before step t); dstates[0] starts non-zero to test accumulation
            let dstates = [initials.map { _ in Tensor(shape: [B, H], repeating: start) }] + (0..<T).map { _ in cell.zeroStates() }
            for t in stride(from: T - 1, through: 0, by: -1) {
                for i in 0..<(B * H) { dstates[t + 1][0][i] += outputWeights[t][i] }
                let dnewStates = t == T - 1 ? [dstates[T][0]] : dstates[t + 1]  // no cell gradient after the last step
                cell.stepBackward(dinput: dinputs[t], dstates: dstates[t], dnewStates: dnewStates, input: inputs[t],
                                  states: states[t], time: t)
            }
            var check = GradientCheck()
            check.maximumProbes = 1000
            let minus = { (t: Tensor) in t.array.map { $0 - start } }
            for t in 0..<T {
                let outcome = check.check(buffer: inputs[t].data, count: inputs[t].count, analytic: minus(dinputs[t]), loss: loss)
                XCTAssertTrue(outcome.passed, "\(kind) input of step \(t): \(outcome)")
            }
            for (s, initial) in initials.enumerated() {
                let outcome = check.check(buffer: initial.data, count: initial.count, analytic: minus(dstates[0][s]), loss: loss)
                XCTAssertTrue(outcome.passed, "\(kind) initial state \(s): \(outcome)")
            }
            for slice in cell.parameters.slices {
                let analytic = Array(UnsafeBufferPointer(start: cell.parameters.gradient(slice), count: slice.count)).map { $0 - start }
                let outcome = check.check(buffer: cell.parameters.value(slice), count: slice.count, analytic: analytic, loss: loss)
                XCTAssertTrue(outcome.passed, "\(kind) \(slice.name): \(outcome)")
            }
        }
    }

    /// One step against plain Float64 loops written from the equations (1e-5 absolute).
    func testStepMatchesNaiveReference() {
        for kind in kinds {
            let cell = Cell(kind)
            let input = randomTensor([cell.B, cell.I], seed: 12, low: -2, high: 2)
            let states = cell.states(seed: 22), next = cell.zeroStates()
            cell.step(newStates: next, input: input, states: states, time: 2)
            let expected = cell.naiveStep(input: doubles(input), states: states.map(doubles))
            for s in 0..<cell.stateCount {
                let error = worstError(next[s].array, expected[s], relative: 0, absolute: 1e-5)
                XCTAssertLessThanOrEqual(error.ratio, 1, "\(kind) state \(s), worst at \(error.index)")
            }
        }
    }

    /// With lengths: inputs beyond lengths[b] change nothing; padded outputs are zero; the final state is
    /// the output at the last real step (t = len-1 forward, t = 0 reverse); and each row equals the same
    /// sequence run alone, unpadded, with length lengths[b].
    func testPadding() {
        for kind in kinds {
            for reverse in [false, true] {
                let cell = Cell(kind)
                let (B, T, I, H) = (cell.B, cell.T, cell.I, cell.H)
                let lengths: [Int32] = [2, 0]
                let inputs = randomTensor([B, T, I], seed: 13, low: -2, high: 2)
                let initials = cell.states(seed: 23)
                let outputs = Tensor(shape: [B, T, H]), finals = cell.zeroStates()
                withLengths(lengths) { cell.forward(outputs: outputs, finals: finals, inputs: inputs, initials: initials, lengths: $0, reverse: reverse) }
                let what = "\(kind) reverse \(reverse)"

                let changed = inputs.clone()
                for b in 0..<B { for t in Int(lengths[b])..<T { for i in 0..<I { changed[(b * T + t) * I + i] = 100 } } }
                let outputs2 = Tensor(shape: [B, T, H], repeating: .nan), finals2 = cell.zeroStates()
                withLengths(lengths) { cell.forward(outputs: outputs2, finals: finals2, inputs: changed, initials: initials, lengths: $0, reverse: reverse) }
                XCTAssertEqual(outputs2.array, outputs.array, "\(what): outputs depend on padding")
                for s in 0..<cell.stateCount { XCTAssertEqual(finals2[s].array, finals[s].array, "\(what): final state \(s) depends on padding") }

                for b in 0..<B {
                    let length = Int(lengths[b])
                    for t in length..<T { for j in 0..<H { XCTAssertEqual(outputs[(b * T + t) * H + j], 0, "\(what): padded output") } }
                    let last = reverse ? 0 : length - 1
                    for j in 0..<H {
                        let expected = length == 0 ? initials[0][b * H + j] : outputs[(b * T + last) * H + j]
                        XCTAssertEqual(finals[0][b * H + j], expected, "\(what): final state of row \(b)")
                    }
                    // row b alone, unpadded
                    let alone = Tensor(shape: [1, length, I]), aloneOutputs = Tensor(shape: [1, length, H])
                    for i in 0..<(length * I) { alone[i] = inputs[b * T * I + i] }
                    let aloneInitials = initials.map { Tensor(shape: [1, H], values: Array($0.array[(b * H)..<((b + 1) * H)])) }
                    let aloneFinals = aloneInitials.map { _ in Tensor(shape: [1, H]) }
                    cell.forward(outputs: aloneOutputs, finals: aloneFinals, inputs: alone, initials: aloneInitials,
                                 batch: 1, length: length, lengths: nil, reverse: reverse)
                    let rowOutputs = Array(outputs.array[(b * T * H)..<((b * T + length) * H)])
                    XCTAssertLessThanOrEqual(worstError(rowOutputs, aloneOutputs.array, relative: 0, absolute: 1e-6).ratio, 1,
                                             "\(what): row \(b) differs from the sequence alone")
                    for s in 0..<cell.stateCount {
                        let rowFinal = Array(finals[s].array[(b * H)..<((b + 1) * H)])
                        XCTAssertLessThanOrEqual(worstError(rowFinal, aloneFinals[s].array, relative: 0, absolute: 1e-6).ratio, 1,
                                                 "\(what): final state \(s) of row \(b) differs from the sequence alone")
                    }
                }
            }
        }
    }

    /// Checkpoint keys and shapes are PyTorch's, and initialisation fills every tensor within ±1/sqrt(H).
    func testParameterNamesAndInitialization() {
        let H = 16, I = 3
        var gruLayout = ParameterLayout(), lstmLayout = ParameterLayout()
        let gru = RecurrentLayer(GRU.self, "rnn", inputSize: I, hiddenSize: H, layout: &gruLayout)
        let lstm = RecurrentLayer(LSTM.self, "rnn", inputSize: I, hiddenSize: H, layout: &lstmLayout)
        let cases: [(ParameterLayout, Int, (ParameterSet, inout RNG) -> Void)] = [
            (gruLayout, 3, gru.initialize), (lstmLayout, 4, lstm.initialize),
        ]
        for (layout, gates, initialize) in cases {
            let parameters = ParameterSet(layout)
            XCTAssertEqual(parameters.names, ["rnn.weight_ih", "rnn.weight_hh", "rnn.bias_ih", "rnn.bias_hh"])
            XCTAssertEqual(parameters.slices.map(\.shape), [[gates * H, I], [gates * H, H], [gates * H], [gates * H]])
            var rng = RNG(seed: 5, purpose: .initialization)
            initialize(parameters, &rng)
            let bound: Float = 1 / 4
            for slice in parameters.slices {
                let values = parameters.values(of: slice.name)
                XCTAssertTrue(values.allSatisfy { abs($0) <= bound }, "\(slice.name) outside ±1/sqrt(H)")
                XCTAssertGreaterThan(values.map(abs).max()!, 0.8 * bound, "\(slice.name) does not fill ±1/sqrt(H)")
            }
        }
    }
}
