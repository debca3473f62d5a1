import Foundation

extension TrainedModel {
    /// Loads a model file, rebuilding its layers through `registry`.
    public static func load(_ path: String, registry: Registry) throws -> TrainedModel {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw VAExprsError(
                .missingInput,
                "\(path): no such model file (or it cannot be read); give a model file as fitting saves it")
        }
        return try ModelFile.decode(Array(data), source: path, registry: registry)
    }

    /// Writes the model atomically to `path` (temporary file + rename).
    public func save(to path: String) throws {
        let output = AtomicOutput()
        try output.stage(try ModelFile.encode(self), at: path)
        try output.commit()
    }
}
