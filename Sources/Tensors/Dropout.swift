// Inverted dropout with masks drawn from the seeded RNG (`RNG(seed:purpose: .dropout, substream:)`).

/// Inverted dropout: each element is kept with probability 1 - p and scaled by 1 / (1 - p), so the
/// expected value of out equals inp and evaluation needs no rescaling.
///
/// mask[i] = u_i >= p ? 1 / (1 - p) : 0, with u_i = rng.uniform() (a multiple of 2^-24 in [0, 1)), and
/// out[i] = inp[i] * mask[i]. Element i uses the i-th 32-bit draw of `rng`: exactly `count` draws, in
/// order, so the stream position afterwards depends on `count` alone, and two calls over the halves of a
/// buffer give the same mask as one call over the whole.
///
/// p == 0 is the identity: mask = 1, out = inp, and NOTHING is drawn, so switching dropout off leaves
/// the dropout stream where it was. p must be in [0, 1) (a precondition).
public func dropoutForward(
    out: UnsafeMutablePointer<Float>,
    mask: UnsafeMutablePointer<Float>,
    inp: UnsafePointer<Float>,
    probability: Float,
    rng: inout RNG,
    count: Int
) {
    // inp is (count), mask is (count), out is (count)
    precondition(probability >= 0 && probability < 1, "dropoutForward: probability \(probability) is outside [0, 1)")
    precondition(count >= 0, "dropoutForward: negative count \(count)")
    if probability == 0 {
        for i in 0..<count {
            mask[i] = 1
            out[i] = inp[i]
        }
        return
    }
    let keep = 1 / (1 - probability)
    for i in 0..<count {
        let m: Float = rng.uniform() >= probability ? keep : 0
        mask[i] = m
        out[i] = inp[i] * m
    }
}

/// The backward of `dropoutForward`: dinp += dout * mask. Accumulates into `dinp`.
public func dropoutBackward(
    dinp: UnsafeMutablePointer<Float>,
    dout: UnsafePointer<Float>,
    mask: UnsafePointer<Float>,
    count: Int
) {
    // dout is (count), mask is (count), dinp is (count)
    for i in 0..<count {
        // forward: out = inp * mask
        dinp[i] += dout[i] * mask[i]
    }
}
