/// The trainable parameters of a model in one flat allocation, with their gradients in a second
/// allocation of the same layout (llm.c style).
///
/// Each named parameter is a contiguous `Slice` of the flat buffers; slices follow one another in
/// insertion order with no padding, so zeroing the gradients, clipping them and the optimizer update
/// are single loops over `count` elements. The names are checkpoint keys, so their order is kept.
///
///     let parameters = ParameterSet([("embedding", [V, C]), ("ln.weight", [C]), ("ln.bias", [C])])
///     let weight = parameters.pointer(for: "ln.weight")          // C floats
///     let weightGradient = parameters.gradientPointer(for: "ln.weight")
public final class ParameterSet: @unchecked Sendable {
    /// Where one named parameter lives in the flat buffers.
    public struct Slice: Sendable, Hashable {
        /// The checkpoint key.
        public let name: String
        /// The extent of each dimension, outermost first (`[]` for a scalar).
        public let shape: [Int]
        /// The index of the first element in `values` and `gradients`.
        public let offset: Int
        /// The number of elements: the product of `shape`.
        public let count: Int
    }

    /// The slices in insertion order; `slices[i + 1].offset == slices[i].offset + slices[i].count`.
    public let slices: [Slice]
    /// All parameter values, shape `[count]`.
    public let values: Tensor
    /// All gradients, shape `[count]`, laid out like `values`. Backward passes accumulate into it.
    public let gradients: Tensor
    private let indexByName: [String: Int]

    /// Allocates the parameters a `ParameterLayout` collected, in its order.
    public convenience init(_ layout: ParameterLayout) {
        self.init(layout.slices.map { ($0.name, $0.shape) })
    }

    /// Lays out the named shapes one after another, in the order given. Values and gradients start at zero.
    ///
    /// Duplicate names and negative dimensions are programmer mistakes (precondition failures).
    public init(_ shapes: [(name: String, shape: [Int])]) {
        var slices: [Slice] = []
        var indexByName: [String: Int] = [:]
        var offset = 0
        for (name, shape) in shapes {
            precondition(indexByName[name] == nil, "duplicate parameter name \"\(name)\"")
            precondition(shape.allSatisfy { $0 >= 0 }, "parameter \"\(name)\" has a negative dimension: \(shape)")
            let count = shape.reduce(1, *)
            indexByName[name] = slices.count
            slices.append(Slice(name: name, shape: shape, offset: offset, count: count))
            offset += count
        }
        self.slices = slices
        self.indexByName = indexByName
        self.values = Tensor(shape: [offset])
        self.gradients = Tensor(shape: [offset])
    }

    /// The total number of parameters (elements), the sum of the slices' counts.
    public var count: Int { values.count }

    /// The names in insertion order.
    public var names: [String] { slices.map(\.name) }

    /// The slice called `name`, or nil if there is none.
    public func slice(named name: String) -> Slice? {
        indexByName[name].map { slices[$0] }
    }

    /// The first value of the parameter called `name` (valid for its `count` elements).
    /// An unknown name is a precondition failure.
    public func pointer(for name: String) -> UnsafeMutablePointer<Float> {
        values.data + requireSlice(name).offset
    }

    /// The first gradient of the parameter called `name` (valid for its `count` elements).
    /// An unknown name is a precondition failure.
    public func gradientPointer(for name: String) -> UnsafeMutablePointer<Float> {
        gradients.data + requireSlice(name).offset
    }

    /// The values of the parameter called `name`, copied out (for tests and checkpoints).
    public func values(of name: String) -> [Float] {
        let slice = requireSlice(name)
        return Array(UnsafeBufferPointer(start: values.data + slice.offset, count: slice.count))
    }

    /// Overwrites the values of the parameter called `name`; `newValues.count` must equal its count.
    public func setValues(of name: String, to newValues: [Float]) {
        let slice = requireSlice(name)
        precondition(newValues.count == slice.count,
                     "\(newValues.count) values for parameter \"\(name)\" of shape \(slice.shape)")
        guard slice.count > 0 else { return }
        newValues.withUnsafeBufferPointer { (values.data + slice.offset).update(from: $0.baseAddress!, count: slice.count) }
    }

    /// The values of a slice (valid for its `count` elements).
    @inlinable public func value(_ slice: Slice) -> UnsafeMutablePointer<Float> { values.data + slice.offset }

    /// The gradients of a slice (valid for its `count` elements).
    @inlinable public func gradient(_ slice: Slice) -> UnsafeMutablePointer<Float> { gradients.data + slice.offset }

    /// Sets every gradient to zero (one memset), before the backward pass of the next step.
    public func zeroGradients() { gradients.zero() }

    private func requireSlice(_ name: String) -> Slice {
        guard let slice = slice(named: name) else { preconditionFailure("no parameter named \"\(name)\"") }
        return slice
    }
}

/// The parameters of a model as its layers declare them, before anything is allocated.
///
/// Each layer adds its named shapes and keeps the returned slices; `ParameterSet(layout)` then
/// allocates one flat buffer in which every slice sits at the offset it was given here.
///
///     var layout = ParameterLayout()
///     let linear = Linear("decoder.output", inputSize: 64, outputSize: 20, bias: true, layout: &layout)
///     let parameters = ParameterSet(layout)
public struct ParameterLayout: Sendable {
    /// The slices in the order they were added.
    public private(set) var slices: [ParameterSet.Slice] = []
    /// The number of parameters so far.
    public private(set) var count = 0
    private var names: Set<String> = []

    public init() {}

    /// Declares a parameter and returns where it will live. A duplicate name is a programmer mistake.
    public mutating func add(_ name: String, shape: [Int]) -> ParameterSet.Slice {
        precondition(!names.contains(name), "duplicate parameter name \"\(name)\"")
        precondition(shape.allSatisfy { $0 >= 0 }, "parameter \"\(name)\" has a negative dimension: \(shape)")
        let slice = ParameterSet.Slice(name: name, shape: shape, offset: count, count: shape.reduce(1, *))
        names.insert(name)
        slices.append(slice)
        count += slice.count
        return slice
    }
}
