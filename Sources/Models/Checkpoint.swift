import Foundation
import Tensors

/// A model's parameters saved as a safetensors file (see docs/checkpoints.md).
///
/// Each parameter of the `ParameterSet` is one F32 tensor under its parameter name, in the set's
/// order; `metadata` travels in the header's `__metadata__` (ablate stores the model configuration
/// as JSON under "config" and "ablate-checkpoint-1" under "format"). Such a file opens in Python
/// with `safetensors.numpy.load_file`.
///
///     try Checkpoint.save(model.parameters, metadata: ["format": "ablate-checkpoint-1", "config": json], to: url)
///     let config = try Checkpoint.metadata(at: url)["config"]        // to build the model first
///     try Checkpoint.load(into: model.parameters, from: url)
public enum Checkpoint {
    /// Writes every parameter's values (not the gradients) and `metadata` to `url`, atomically:
    /// the file at `url` is either the previous one or the complete new one.
    public static func save(_ parameters: ParameterSet, metadata: [String: String], to url: URL) throws {
        let tensors = parameters.slices.map { slice in
            (name: slice.name, shape: slice.shape,
             values: UnsafeBufferPointer(start: parameters.value(slice), count: slice.count))
        }
        try withExtendedLifetime(parameters) {
            try Safetensors.write(tensors: tensors, metadata: metadata, to: url)
        }
    }

    /// Overwrites the values of `parameters` with the tensors of the checkpoint at `url` and returns
    /// its metadata.
    ///
    /// The checkpoint must hold exactly the set's parameters, by name, each with the same shape; the
    /// order in the file does not matter. Everything is checked before any value is written, so on
    /// error `parameters` is unchanged. Throws `SafetensorsError` for a file that is not a valid
    /// F32 safetensors file and `CheckpointError` for one that does not fit the model.
    @discardableResult
    public static func load(into parameters: ParameterSet, from url: URL) throws -> [String: String] {
        let (tensors, metadata) = try Safetensors.read(from: url)
        try check(tensors.map { ($0.name, $0.shape) }, fit: parameters.slices, path: url.path)
        copy(tensors, into: parameters)
        return metadata
    }

    /// Throws the `CheckpointError` of the first difference between the tensors of a file (at
    /// `path`, for the message) and the parameters `slices` of a model: a parameter without its
    /// tensor, a tensor of another shape, or a tensor the model has no parameter for.
    public static func check(_ tensors: [(name: String, shape: [Int])], fit slices: [ParameterSet.Slice], path: String) throws {
        var shapes: [String: [Int]] = [:]
        for tensor in tensors { shapes[tensor.name] = tensor.shape }
        for slice in slices {
            guard let shape = shapes[slice.name] else {
                throw CheckpointError.missingTensor(path: path, name: slice.name, shape: slice.shape)
            }
            guard shape == slice.shape else {
                throw CheckpointError.shapeMismatch(path: path, name: slice.name, expected: slice.shape, found: shape)
            }
        }
        let names = Set(slices.map(\.name))
        if let extra = tensors.first(where: { !names.contains($0.name) }) {
            throw CheckpointError.unexpectedTensor(path: path, name: extra.name, shape: extra.shape)
        }
    }

    /// Writes the values of `tensors` into `parameters`, by name; `check` must have passed.
    static func copy(_ tensors: [Safetensors.Tensor], into parameters: ParameterSet) {
        for tensor in tensors where !tensor.values.isEmpty {
            guard let slice = parameters.slice(named: tensor.name), slice.count == tensor.values.count else {
                preconditionFailure("Checkpoint.copy: tensor '\(tensor.name)' was not checked against the parameters")
            }
            tensor.values.withUnsafeBufferPointer {
                parameters.value(slice).update(from: $0.baseAddress!, count: slice.count)
            }
        }
    }

    /// The metadata of the checkpoint at `url` (the whole file is validated, no values are kept):
    /// read it to rebuild the model a checkpoint was saved from before loading into it.
    public static func metadata(at url: URL) throws -> [String: String] {
        try Safetensors.readMetadata(from: url)
    }
}

/// A checkpoint that is a valid safetensors file but does not fit the model it is loaded into.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    /// The model has a parameter the checkpoint lacks.
    case missingTensor(path: String, name: String, shape: [Int])
    /// The checkpoint has a tensor the model lacks.
    case unexpectedTensor(path: String, name: String, shape: [Int])
    /// Both have the tensor, with different shapes.
    case shapeMismatch(path: String, name: String, expected: [Int], found: [Int])

    public var description: String {
        let hint = "was the checkpoint saved from a model with another configuration?"
        switch self {
        case .missingTensor(let path, let name, let shape):
            return "checkpoint \(path) has no tensor '\(name)' but the model expects one of shape \(shape): \(hint)"
        case .unexpectedTensor(let path, let name, let shape):
            return "checkpoint \(path) has tensor '\(name)' of shape \(shape) but the model has no such parameter: \(hint)"
        case .shapeMismatch(let path, let name, let expected, let found):
            return "checkpoint \(path) has tensor '\(name)' of shape \(found) but the model expects \(expected): \(hint)"
        }
    }
}
