// What GRU and LSTM share: how a batch of padded sequences is walked.
//
// Sequences are batch-major, (B,T,*), padded to a common length T. `lengths[b]` (Int32, nil = all T)
// says how many leading steps of example b are real: 0 <= lengths[b] <= T. The layer runs T iterations
// k = 0..<T for all rows at once; at iteration k, row b processes
//
//     time t = k                   forward
//     time t = lengths[b] - 1 - k  reverse (the backward direction of a bidirectional encoder)
//
// when k < lengths[b], and otherwise carries its state through unchanged. So in both directions the
// padding steps are the last iterations of a row, the final state is the state after the last real
// step (PyTorch's packed-sequence h_n), and the outputs at padded times t >= lengths[b] are zero.
//
// Per-iteration activations are time-major, (T,B,*) with iteration k at offset k*B*(row size): the
// B rows of one iteration are contiguous, which is what the per-step hidden GEMM reads and writes.
// The single-step APIs (`step`, `stepBackward`) use the same per-iteration slots with k = `time`.

/// The number of real steps of example `b`: `lengths[b]`, or `length` without lengths.
@inline(__always)
func validLength(_ lengths: UnsafePointer<Int32>?, _ b: Int, length: Int) -> Int {
    guard let lengths else { return length }
    let valid = Int(lengths[b])
    precondition(valid >= 0 && valid <= length, "recurrent layer: lengths[\(b)] = \(valid) is outside 0...\(length)")
    return valid
}

/// The time position row `b` processes at iteration `k` (< its valid length).
@inline(__always)
func timeIndex(iteration k: Int, validLength: Int, reverse: Bool) -> Int {
    reverse ? validLength - 1 - k : k
}

/// Zeroes the output rows of the padded times t >= lengths[b]. outputs is (B,T,H).
func zeroPaddedOutputs(_ outputs: UnsafeMutablePointer<Float>, lengths: UnsafePointer<Int32>?,
                       batch B: Int, length T: Int, hiddenSize H: Int) {
    guard lengths != nil else { return }
    for b in 0..<B {
        let valid = validLength(lengths, b, length: T)
        if valid < T { (outputs + (b * T + valid) * H).update(repeating: 0, count: (T - valid) * H) }
    }
}
