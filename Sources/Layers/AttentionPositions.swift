#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// The positional schemes that live inside attention rather than in the embeddings, and the additive
// mask that carries them (with causality and padding) into the softmax.
//
// Positions are absolute indices: query row t of a forward pass is at position t (plus the cache
// offset when decoding), key row s at position s. Both schemes are meant for self-attention, where
// queries and keys index the same sequence; a cross-attention layer should use positions `.none`.

extension MultiHeadAttention {
    /// The ALiBi head slopes of Press, Smith and Lewis, "Train Short, Test Long" (ICLR 2022).
    ///
    /// For H a power of two the slopes are the geometric sequence 2^(-8/H), 2^(-16/H), ..., 2^(-8):
    ///     slope[h] = 2^(-8 (h + 1) / H)
    /// Otherwise, with n the largest power of two below H, the first n slopes are those of n heads and
    /// the remaining H - n are every other slope of 2n heads (2^(-8/2n), 2^(-24/2n), ...), as in the
    /// paper's reference code. H = 6 gives 1/4, 1/16, 1/64, 1/256, 1/2, 1/8.
    public static func alibiSlopes(heads H: Int) -> [Float] {
        precondition(H > 0, "alibiSlopes: heads must be positive, got \(H)")
        func powerOfTwoSlopes(_ n: Int) -> [Float] {
            (0..<n).map { Float(pow(2.0, -8.0 * Double($0 + 1) / Double(n))) }
        }
        var n = 1
        while n * 2 <= H { n *= 2 }
        if n == H { return powerOfTwoSlopes(H) }
        let extra = powerOfTwoSlopes(2 * n).enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        return powerOfTwoSlopes(n) + extra.prefix(H - n)
    }

    /// The RoPE frequencies 10000^(-2i/D) for the pairs i = 0..<D/2 of a head, in Float64.
    static func rotaryFrequencies(headSize D: Int) -> [Double] {
        (0..<D / 2).map { pow(10000.0, -2.0 * Double($0) / Double(D)) }
    }

    /// Rotary position embedding (Su et al., "RoFormer", 2021), in place.
    ///
    /// Each head's pairs (2i, 2i+1) of the row at position p turn by the angle p * 10000^(-2i/D):
    ///     y[2i]   = x[2i] cos - x[2i+1] sin
    ///     y[2i+1] = x[2i] sin + x[2i+1] cos
    /// so that q_p . k_s depends on the positions only through p - s. A rotation is orthogonal: the
    /// backward applies the inverse rotation (`inverse`, angle -p * ...) to the gradients.
    ///
    /// Row (b, t) starts at x + b * batchStride + t * C and sits at position firstPosition + t.
    func rotate(_ x: UnsafeMutablePointer<Float>, batch B: Int, length T: Int, batchStride: Int,
                firstPosition: Int, inverse: Bool) {
        // x rows are (C) = (H, D)
        let C = modelSize, H = heads, D = headSize
        for t in 0..<T {
            let position = Double(firstPosition + t)
            for i in 0..<D / 2 {
                let angle = position * rotaryFrequencies[i]
                let c = Float(cos(angle)), s = Float(inverse ? -sin(angle) : sin(angle))
                for b in 0..<B {
                    let row = x + b * batchStride + t * C
                    for h in 0..<H {
                        let pair = row + h * D + 2 * i
                        let x0 = pair[0], x1 = pair[1]
                        pair[0] = x0 * c - x1 * s
                        pair[1] = x0 * s + x1 * c
                    }
                }
            }
        }
    }

    /// The number of keys query i keeps when the mask is causal and/or pads: keys j <= position
    /// (firstQueryPosition + i) when `causal`, and j < validKeys. The same keys `fillMask` leaves at 0
    /// without ALiBi. kept is (Tq).
    func fillKept(_ kept: UnsafeMutablePointer<Int32>, queryLength Tq: Int, keyLength Tk: Int,
                  firstQueryPosition: Int, causal: Bool, validKeys: Int) {
        for i in 0..<Tq {
            let visible = causal ? min(firstQueryPosition + i + 1, Tk) : Tk
            kept[i] = Int32(max(0, min(visible, validKeys)))
        }
    }

    /// Writes the additive mask of one example's scores and returns its number of rows (`maskRows`
    /// for `softmaxForward`).
    ///
    /// For query i (position firstQueryPosition + i) and key j:
    ///     mask = -inf                     if causal and j > position, or j >= validKeys (padding)
    ///     mask = -slope[h] * |position - j| with ALiBi (one (Tq,Tk) block per head: (H,Tq,Tk))
    ///     mask = 0                        otherwise ((Tq,Tk), shared by the heads)
    /// With a causal mask only j <= position survive, so |position - j| is the paper's causal bias
    /// position - j; without it the symmetric |position - j| is the usual bidirectional extension.
    /// The bias is added after the scores are scaled, as in the paper's reference code.
    func fillMask(_ mask: UnsafeMutablePointer<Float>, queryLength Tq: Int, keyLength Tk: Int,
                  firstQueryPosition: Int, causal: Bool, validKeys: Int) -> Int {
        // mask is (H,Tq,Tk) with ALiBi, (Tq,Tk) otherwise
        let blocks = positions == .alibi ? heads : 1
        for block in 0..<blocks {
            let slope = positions == .alibi ? alibiSlopes[block] : 0
            for i in 0..<Tq {
                let position = firstQueryPosition + i
                let row = mask + (block * Tq + i) * Tk
                for j in 0..<Tk {
                    if (causal && j > position) || j >= validKeys {
                        row[j] = -Float.infinity
                    } else {
                        row[j] = slope == 0 ? 0 : -slope * Float(abs(position - j))
                    }
                }
            }
        }
        return blocks * Tq
    }
}
