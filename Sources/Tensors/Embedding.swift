// Token embedding: a lookup of rows of a (V, C) table by token id, and its scatter-add backward.

/// Gathers one row of `table` per token: out[r, :] = table[tokens[r], :].
///
/// `rows` is the number of tokens (B * T for a batch); every id must lie in 0..<V (checked with a
/// precondition: an out-of-range id is a bug in the data pipeline, not a user error).
public func embeddingForward(
    out: UnsafeMutablePointer<Float>,
    tokens: UnsafePointer<Int32>,
    table: UnsafePointer<Float>,
    rows: Int, V: Int, C: Int
) {
    // tokens is (rows), table is (V, C), out is (rows, C)
    precondition(rows >= 0 && V > 0 && C >= 0, "embeddingForward: bad sizes rows=\(rows) V=\(V) C=\(C)")
    for r in 0..<rows {
        let token = Int(tokens[r])
        precondition(token >= 0 && token < V, "embeddingForward: token id \(token) at row \(r) is outside 0..<\(V)")
        let source = table + token * C
        let destination = out + r * C
        for c in 0..<C {
            destination[c] = source[c]
        }
    }
}

/// The backward of `embeddingForward`: dtable[tokens[r], :] += dout[r, :] for every row r.
///
/// A token that occurs several times receives the sum of its rows' gradients; rows of the table whose
/// token does not occur are left unchanged. Accumulates into `dtable`.
public func embeddingBackward(
    dtable: UnsafeMutablePointer<Float>,
    dout: UnsafePointer<Float>,
    tokens: UnsafePointer<Int32>,
    rows: Int, V: Int, C: Int
) {
    // dout is (rows, C), tokens is (rows), dtable is (V, C)
    precondition(rows >= 0 && V > 0 && C >= 0, "embeddingBackward: bad sizes rows=\(rows) V=\(V) C=\(C)")
    for r in 0..<rows {
        let token = Int(tokens[r])
        precondition(token >= 0 && token < V, "embeddingBackward: token id \(token) at row \(r) is outside 0..<\(V)")
        // forward: out[r, c] = table[token, c]
        let gradient = dout + r * C
        let destination = dtable + token * C
        for c in 0..<C {
            destination[c] += gradient[c]
        }
    }
}
