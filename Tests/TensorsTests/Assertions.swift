import XCTest
import Tensors
import TestSupport

// Assertions shared by the kernel tests.

/// Fails when any element of `actual` is further from `expected` than absolute + relative * |expected|,
/// naming the worst element.
func assertClose(_ actual: [Float], _ expected: [Double], relative: Double, absolute: Double, _ what: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    let (ratio, i) = worstError(actual, expected, relative: relative, absolute: absolute)
    guard i >= 0 else { return }
    XCTAssertLessThanOrEqual(ratio, 1, "\(what): worst element \(i) is \(actual[i]), expected \(expected[i])", file: file, line: line)
}

/// The dot product of two Float64 vectors: the scalar projection L = sum(w * out) of a forward pass.
func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

/// The gradient a backward call added to a buffer that started at `start`.
func added(_ buffer: Tensor, _ start: [Float]) -> [Float] { zip(buffer.array, start).map { $0 - $1 } }
