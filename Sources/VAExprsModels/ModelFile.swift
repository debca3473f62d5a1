import CZlib
import Foundation
import VAExprsCore

/// The one-file model format.
///
/// Layout (little-endian): magic `VAEXPRS\0` (8 bytes), format version (u32), header length
/// (u64), weights length (u64), CRC-32 of header + weights (u32), then the header (JSON:
/// architecture, preprocessing, label encoding, history, training latent means, the weight
/// table of paths, shapes and offsets) and the weights (float32). Written deterministically:
/// the same model gives the same bytes. Integrity is checked with CRC-32 (zlib), which finds
/// corruption and truncation; it is not a signature.
public enum ModelFile {
    /// The format version this build writes and the newest it reads.
    public static let formatVersion: UInt32 = 1
    static let magic: [UInt8] = Array("VAEXPRS".utf8) + [0]
    static let prefixLength = 8 + 4 + 8 + 8 + 4

    struct WeightEntry: Codable { var path: String; var shape: [Int]; var offset: Int; var count: Int }

    struct Header: Codable {
        var producer: String
        var spec: ModelSpec
        var featureCount: Int
        var geneNames: [String]
        var preprocessing: Preprocessing
        var conditions: ConditionEncoding?
        var trainingCellIDs: [String]
        var trainingLatentMeans: [Float]
        var trainingLabels: [[String]]?
        var history: TrainingHistory
        var seed: UInt64
        var weights: [WeightEntry]
        /// Components from run-time plugins (absent in files without any).
        var plugins: [PluginProvenance]?
        /// How the data were prepared (absent in files written before it was recorded).
        var setup: FitSetup?
    }

    /// The model as bytes.
    public static func encode(_ model: TrainedModel) throws -> [UInt8] {
        var payload: [UInt8] = []
        var table: [WeightEntry] = []
        for p in model.network.parameters + model.network.buffers {
            table.append(WeightEntry(path: p.path, shape: p.shape, offset: payload.count / 4, count: p.value.count))
            p.value.withUnsafeBytes { raw in
                for chunk in stride(from: 0, to: raw.count, by: 4) {
                    let bits = raw.load(fromByteOffset: chunk, as: UInt32.self).littleEndian
                    withUnsafeBytes(of: bits) { payload.append(contentsOf: $0) }
                }
            }
        }
        let header = Header(producer: "VAExprs for Swift", spec: model.network.spec, featureCount: model.network.featureCount,
                            geneNames: model.geneNames, preprocessing: model.preprocessing,
                            conditions: model.conditions, trainingCellIDs: model.trainingCellIDs,
                            trainingLatentMeans: model.trainingLatentMeans.storage,
                            trainingLabels: model.trainingLabels, history: model.history,
                            seed: model.seed, weights: table,
                            plugins: model.network.pluginComponents.isEmpty ? nil : model.network.pluginComponents,
                            setup: model.setup)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let json = Array(try encoder.encode(header))
        var out = magic
        appendLE(&out, formatVersion)
        appendLE(&out, UInt64(json.count))
        appendLE(&out, UInt64(payload.count))
        appendLE(&out, checksum(json, payload))
        out += json
        out += payload
        return out
    }

    /// Reads a model from bytes, rebuilding its layers through `registry`.
    public static func decode(_ bytes: [UInt8], source: String, registry: Registry) throws -> TrainedModel {
        func bad(_ what: String) -> VAExprsError {
            VAExprsError.badData("\(source): \(what)")
        }
        guard bytes.count >= prefixLength, Array(bytes[0..<8]) == magic else {
            throw bad("not a VAExprs model file (no VAEXPRS signature); give the file written by 'vaexprs fit --output'")
        }
        let version: UInt32 = readLE(bytes, 8)
        guard version <= formatVersion else {
            throw bad("written in model format \(version), newer than this VAExprs reads (\(formatVersion)); upgrade VAExprs")
        }
        let headerLength = Int(readLE(bytes, 12) as UInt64)
        let payloadLength = Int(readLE(bytes, 20) as UInt64)
        let expected: UInt32 = readLE(bytes, 28)
        guard headerLength >= 0, payloadLength >= 0, bytes.count == prefixLength + headerLength + payloadLength else {
            throw bad("truncated or padded: \(bytes.count) bytes, the header announces \(prefixLength + headerLength + payloadLength); the file is damaged, fit again or restore a copy")
        }
        let json = Array(bytes[prefixLength..<(prefixLength + headerLength)])
        let payload = Array(bytes[(prefixLength + headerLength)...])
        guard checksum(json, payload) == expected else {
            throw bad("checksum mismatch: the file is corrupted; fit again or restore a copy")
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let header: Header
        do { header = try decoder.decode(Header.self, from: Data(json)) } catch {
            throw bad("unreadable model header (\(error)); the file is damaged")
        }
        var values: [String: [Float]] = [:]
        for entry in header.weights {
            guard entry.offset >= 0, entry.count >= 0, (entry.offset + entry.count) * 4 <= payload.count else {
                throw bad("weight '\(entry.path)' lies outside the file; the file is damaged")
            }
            var v = [Float](repeating: 0, count: entry.count)
            for i in 0..<entry.count {
                v[i] = Float(bitPattern: readLE(payload, (entry.offset + i) * 4))
            }
            values[entry.path] = v
        }
        try PluginProvenance.check(header.plugins ?? [], in: registry, source: source)
        var rng = SeededGenerator(seed: 0)  // initial values are overwritten below
        let placeholder = Matrix(rows: 0, columns: header.featureCount)
        let network: VAENetwork
        do {
            let groups = header.conditions.flatMap { c in header.trainingLabels.map { c.groups(of: $0).keys.count } } ?? 0
            network = try VAENetwork(spec: header.spec, featureCount: header.featureCount,
                                     conditionWidth: header.conditions?.width ?? 0, groups: groups, registry: registry,
                                     training: placeholder, context: .none, rng: &rng)
        } catch let error as VAExprsError {
            throw bad("the model's architecture cannot be rebuilt here: \(error.message); load the plugins it was fitted with")
        }
        try network.restore(values)
        let latent = header.spec.latentDimension
        guard header.trainingLatentMeans.count == header.trainingCellIDs.count * latent else {
            throw bad("latent means do not match the training cells; the file is damaged")
        }
        return TrainedModel(network: network, geneNames: header.geneNames, preprocessing: header.preprocessing,
                            conditions: header.conditions, trainingCellIDs: header.trainingCellIDs,
                            trainingLatentMeans: Matrix(rows: header.trainingCellIDs.count, columns: latent, storage: header.trainingLatentMeans),
                            trainingLabels: header.trainingLabels, history: header.history, seed: header.seed,
                            setup: header.setup)
    }

    private static func checksum(_ a: [UInt8], _ b: [UInt8]) -> UInt32 {
        var crc = a.withUnsafeBufferPointer { CZlib.crc32(0, $0.baseAddress, UInt32($0.count)) }
        var offset = 0
        while offset < b.count {  // zlib takes 32-bit lengths
            let n = min(1 << 30, b.count - offset)
            crc = b.withUnsafeBufferPointer { CZlib.crc32(crc, $0.baseAddress! + offset, UInt32(n)) }
            offset += n
        }
        return UInt32(crc)
    }

    private static func appendLE<T: FixedWidthInteger>(_ out: inout [UInt8], _ value: T) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    private static func readLE<T: FixedWidthInteger>(_ bytes: [UInt8], _ offset: Int) -> T {
        var v: T = 0
        for i in 0..<MemoryLayout<T>.size { v |= T(bytes[offset + i]) << (8 * i) }
        return v
    }
}
