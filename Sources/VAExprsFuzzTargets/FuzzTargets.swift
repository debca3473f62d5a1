import Foundation
import VAExprs

/// The fuzz targets: each takes arbitrary bytes and runs one reader or parser on them. Errors
/// thrown are the expected outcome for bad input; a crash, a trap, a hang or a sanitizer report
/// is a bug. `scripts/fuzz.sh` runs them under libFuzzer (`Fuzz/Entry`), and the test suite
/// replays the seeds and every crash ever found (`Fuzz/Regressions`) through the same functions.
package enum FuzzTargets {
    /// A target's name and body.
    package struct Target: Sendable {
        /// The name used by `scripts/fuzz.sh` and the regression folders.
        package let name: String
        /// What it reads.
        package let summary: String
        /// Runs the target on one input.
        package let run: @Sendable ([UInt8]) -> Void
    }

    /// Every target.
    package static let all: [Target] = [
        Target(
            name: "csv", summary: "CSV/TSV expression, label and point readers (gzip too)", run: DelimitedTargets.csv),
        Target(
            name: "tenx-mtx", summary: "10x Matrix Market folder: matrix.mtx, features.tsv, barcodes.tsv",
            run: DelimitedTargets.tenXFolder),
        Target(
            name: "h5ad", summary: "our interpretation of an .h5ad's structure (files built from the input's recipe)",
            run: HDF5Targets.h5ad),
        Target(
            name: "tenx-h5",
            summary: "our interpretation of a Cell Ranger .h5's structure (files built from the input's recipe)",
            run: HDF5Targets.tenXH5),
        Target(
            name: "model",
            summary: "the model file decoder, on checksum-valid files, then generation and the architecture graph",
            run: ModelTarget.run),
        Target(
            name: "manifest", summary: "the plugin manifest parser and C signature checks", run: TextTargets.manifest),
        Target(
            name: "component-spec", summary: "the component-spec parser and every built-in factory's option checks",
            run: TextTargets.componentSpec),
        Target(
            name: "writers",
            summary:
                "round trips through every cell writer and reader (refused, or read back equal; nothing left behind)",
            run: WriterTargets.run),
        Target(
            name: "mpi-fingerprint",
            summary:
                """
                processes (threads) with fuzzed settings agree or all refuse alike, never a collective of unequal \
                sizes
                """,
            run: AgreementTargets.run)
    ]

    /// The target called `name`, or nil.
    package static func named(_ name: String) -> Target? { all.first { $0.name == name } }

    /// A private scratch folder for targets that read files (in /dev/shm when there is one),
    /// one per thread: targets run side by side in the test suite must not share files.
    static var scratch: String {
        let key = "vaexprs.fuzz.scratch"
        if let path = Thread.current.threadDictionary[key] as? String { return path }
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let path = base + "/vaexprs-fuzz-\(getpid())-\(pthread_self())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        Thread.current.threadDictionary[key] = path
        return path
    }

    /// Writes `bytes` to `name` in the scratch folder and returns the path.
    static func file(_ name: String, _ bytes: [UInt8]) -> String {
        let path = scratch + "/" + name
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    /// Removes a scratch file (HDF5 outputs are created exclusively).
    static func remove(_ name: String) {
        unlink(scratch + "/" + name)
    }

    /// The built-in components (made once: registries are not cheap).
    static let registry: Registry = try! Builtins.makeRegistry()
}

/// Reads numbers and choices off the input, a byte at a time; zeros once it is used up.
struct FuzzInput {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isEmpty: Bool { position >= bytes.count }

    mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func int(below limit: Int) -> Int { limit <= 1 ? 0 : Int(byte()) % limit }

    mutating func bool() -> Bool { byte() & 1 == 1 }

    mutating func raw<T: FixedWidthInteger>(_: T.Type) -> T {
        var value: T = 0
        for k in 0..<MemoryLayout<T>.size { value |= T(truncatingIfNeeded: byte()) << (8 * k) }
        return value
    }

    /// A short string of the input's bytes (any UTF-8, broken sequences repaired).
    mutating func string() -> String {
        let length = int(below: 9)
        return String(decoding: (0..<length).map { _ in byte() }, as: UTF8.self)
    }

    /// The rest of the input.
    mutating func rest() -> [UInt8] {
        defer { position = bytes.count }
        return position < bytes.count ? Array(bytes[position...]) : []
    }
}
