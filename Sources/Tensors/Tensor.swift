#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A contiguous, row-major block of Float32 values with a shape.
///
/// `Tensor` is a buffer with reference semantics, in the llm.c style: kernels are plain functions over
/// the pointers of caller-provided tensors, so one allocation serves a whole training run. Storage is
/// aligned to 64 bytes (a cache line, and an AVX-512 register) and is zero-initialised by `calloc`:
/// large blocks come from the kernel as zero pages, resident only once written, so buffers a
/// configuration never uses (dropout masks without dropout, ...) cost address space, not memory.
public final class Tensor: @unchecked Sendable {
    /// The extent of each dimension, outermost first.
    public let shape: [Int]
    /// The number of elements: the product of `shape` (1 for a scalar, shape `[]`).
    public let count: Int
    /// The first element. Valid for `count` elements for as long as the tensor lives.
    public let data: UnsafeMutablePointer<Float>
    /// What calloc returned (data is the first 64-byte boundary in it).
    private let allocation: UnsafeMutableRawPointer

    /// A tensor of zeros.
    public init(shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "tensor dimensions must be non-negative: \(shape)")
        self.shape = shape
        self.count = shape.reduce(1, *)
        let byteCount = max(count, 1) * MemoryLayout<Float>.stride
        guard let raw = calloc(byteCount + 64, 1) else { fatalError("out of memory: a tensor of \(byteCount) bytes, shape \(shape)") }
        allocation = raw
        let aligned = raw + ((64 - Int(bitPattern: raw) % 64) % 64)
        self.data = aligned.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// A tensor whose every element is `value`.
    public convenience init(shape: [Int], repeating value: Float) {
        self.init(shape: shape)
        data.update(repeating: value, count: count)
    }

    /// A tensor holding `values` in row-major order; `values.count` must equal the product of `shape`.
    public convenience init(shape: [Int], values: [Float]) {
        self.init(shape: shape)
        precondition(values.count == count, "\(values.count) values for shape \(shape) (\(count) elements)")
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: count) }
    }

    deinit {
        free(allocation)
    }

    /// The values in row-major order.
    public var array: [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }

    /// The element at a flat (row-major) index.
    public subscript(index: Int) -> Float {
        get {
            precondition(index >= 0 && index < count, "index \(index) out of range for \(count) elements")
            return data[index]
        }
        set {
            precondition(index >= 0 && index < count, "index \(index) out of range for \(count) elements")
            data[index] = newValue
        }
    }

    /// Sets every element to zero.
    public func zero() { data.update(repeating: 0, count: count) }

    /// Sets every element to `value`.
    public func fill(_ value: Float) { data.update(repeating: value, count: count) }

    /// Copies the values of `other`, which must have the same number of elements.
    public func copy(from other: Tensor) {
        precondition(other.count == count, "copying \(other.count) elements into \(count)")
        data.update(from: other.data, count: count)
    }

    /// A new tensor with the same values.
    public func clone() -> Tensor {
        let copy = Tensor(shape: shape)
        copy.copy(from: self)
        return copy
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = (0..<min(count, 8)).map { String(data[$0]) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), values: [\(shown)\(count > 8 ? ", ..." : "")])"
    }
}
