import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
/// A file written in full to a temporary sibling, flushed, then renamed over its destination, so
/// that a reader (or a run killed half-way) never sees a partial file.
struct AtomicFile {
    private let descriptor: Int32
    private let path: String

    static func write(to url: URL, _ body: (AtomicFile) throws -> Void) throws {
        let destination = url.path
        let directory = url.deletingLastPathComponent().path
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp").path
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw SafetensorsError.writeFailed(path: destination, reason: "cannot create a file in \(directory): \(errorString())")
        }
        let file = AtomicFile(descriptor: descriptor, path: destination)
        var closed = false
        do {
            try body(file)
            guard fsync(descriptor) == 0 else { throw file.failure() }
            closed = true
            guard close(descriptor) == 0 else { throw file.failure() }
            guard rename(temporary, destination) == 0 else { throw file.failure() }
        } catch {
            if !closed { close(descriptor) }
            unlink(temporary)
            throw error
        }
        // Make the rename itself durable; failing to is not worth failing the save over.
        let directoryDescriptor = open(directory, O_RDONLY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write(raw: $0) }
    }

    /// Writes Float32 values as little-endian bytes, whatever the host's byte order.
    func writeLittleEndian(_ values: UnsafeBufferPointer<Float>) throws {
        if UInt32(1).littleEndian == 1 {
            try write(raw: UnsafeRawBufferPointer(values))
            return
        }
        let chunk = 1 << 14
        var start = 0
        while start < values.count {
            let end = min(start + chunk, values.count)
            let swapped = values[start..<end].map { $0.bitPattern.littleEndian }
            try swapped.withUnsafeBytes { try write(raw: $0) }
            start = end
        }
    }

    private func write(raw: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < raw.count {
            let written = systemWrite(descriptor, raw.baseAddress! + done, raw.count - done)
            if written < 0 {
                if errno == EINTR { continue }
                throw failure()
            }
            done += written
        }
    }

    private func failure() -> SafetensorsError {
        .writeFailed(path: path, reason: errorString())
    }
}

func errorString() -> String { String(cString: strerror(errno)) }

/// The C library's `write`, which the methods called `write` above would otherwise shadow.
func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(descriptor, buffer, count)
    #elseif canImport(Musl)
    return Musl.write(descriptor, buffer, count)
    #else
    return Darwin.write(descriptor, buffer, count)
    #endif
}
