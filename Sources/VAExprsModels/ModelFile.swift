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
package enum ModelFile {
    /// The format version this build writes and the newest it reads.
    package static let formatVersion: UInt32 = 1
    static let magic: [UInt8] = Array("VAEXPRS".utf8) + [0]
    static let prefixLength = 8 + 4 + 8 + 8 + 4

    struct WeightEntry: Codable {
        var path: String
        var shape: [Int]
        var offset: Int
        var count: Int
    }

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
        /// The latent mixtures searched at the end of the fit (absent in older files).
        var latentMixtures: StoredLatentMixtures?
        /// Per-label offsets on the decoder's outputs (absent before 0.11 and for likelihoods
        /// without them).
        var outputOffsets: StoredOutputOffsets?
        /// How far latent draws stay from each label's centre (absent before 0.13 and in fits
        /// without validation cells).
        var latentShrinkage: LatentShrinkage?
    }

    /// The model as bytes.
    package static func encode(_ model: TrainedModel) throws -> [UInt8] {
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
        let header = Header(
            producer: "VAExprs for Swift", spec: model.network.spec, featureCount: model.network.featureCount,
            geneNames: model.geneNames, preprocessing: model.preprocessing,
            conditions: model.conditions, trainingCellIDs: model.trainingCellIDs,
            trainingLatentMeans: model.trainingLatentMeans.storage,
            trainingLabels: model.trainingLabels, history: model.history,
            seed: model.seed, weights: table,
            plugins: model.network.pluginComponents.isEmpty ? nil : model.network.pluginComponents,
            setup: model.setup, latentMixtures: model.latentMixtures, outputOffsets: model.outputOffsets,
            latentShrinkage: model.latentShrinkage)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return assemble(header: Array(try encoder.encode(header)), weights: payload)
    }

    /// A file from a header (JSON) and weights, with the prefix and checksum filled in: the
    /// file `encode` writes, and the way fuzzing and tests build checksum-valid files whose
    /// contents are anything at all.
    package static func assemble(header json: [UInt8], weights payload: [UInt8]) -> [UInt8] {
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
    package static func decode(_ bytes: [UInt8], source: String, registry: Registry) throws -> TrainedModel {
        func bad(_ what: String) -> VAExprsError {
            VAExprsError.badData("\(source): \(what)")
        }
        guard bytes.count >= prefixLength, Array(bytes[0..<8]) == magic else {
            throw bad("not a VAExprs model file (no VAEXPRS signature); give a model file as fitting saves it")
        }
        let version: UInt32 = readLE(bytes, 8)
        guard version <= formatVersion else {
            throw bad(
                "written in model format \(version), newer than this VAExprs reads (\(formatVersion)); upgrade VAExprs")
        }
        // Lengths compared as the unsigned numbers they are, each against the file size first,
        // so that no damaged value can overflow or trap.
        let headerLength64: UInt64 = readLE(bytes, 12), payloadLength64: UInt64 = readLE(bytes, 20)
        let expected: UInt32 = readLE(bytes, 28)
        let size = UInt64(bytes.count)
        guard headerLength64 <= size, payloadLength64 <= size,
            UInt64(prefixLength) + headerLength64 + payloadLength64 == size
        else {
            throw bad(
                """
                damaged model file: truncated or padded (\(bytes.count) bytes, while its prefix announces a \
                \(headerLength64)-byte header and \(payloadLength64) bytes of weights); fit again or restore a \
                copy
                """
            )
        }
        let headerLength = Int(headerLength64), payloadLength = Int(payloadLength64)
        guard payloadLength % 4 == 0 else {
            throw bad(
                "damaged model file: the weights take \(payloadLength) bytes, not a whole number of float32 values")
        }
        let json = Array(bytes[prefixLength..<(prefixLength + headerLength)])
        let payload = Array(bytes[(prefixLength + headerLength)...])
        guard checksum(json, payload) == expected else {
            throw bad(
                """
                damaged model file: checksum mismatch (the contents changed after writing); fit again or restore \
                a copy
                """
            )
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let header: Header
        do { header = try decoder.decode(Header.self, from: Data(json)) } catch {
            throw bad("damaged model file: unreadable header (\(error)); fit again or restore a copy")
        }
        try validate(header, payloadFloats: payloadLength / 4, bad: bad)
        var values: [String: [Float]] = [:]
        for entry in header.weights {
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
            let groups =
                header.conditions.flatMap { c in header.trainingLabels.map { c.groups(of: $0).keys.count } } ?? 0
            network = try VAENetwork(
                spec: header.spec, featureCount: header.featureCount,
                conditionWidth: header.conditions?.width ?? 0, groups: groups, registry: registry,
                training: placeholder, context: .none, rng: &rng)
        } catch let error as VAExprsError {
            throw bad(
                """
                the model's architecture cannot be rebuilt here: \(error.template); load the plugins it was \
                fitted with
                """
            )
        }
        try network.restore(values)
        let latent = header.spec.latentDimension
        return TrainedModel(
            network: network, geneNames: header.geneNames, preprocessing: header.preprocessing,
            conditions: header.conditions, trainingCellIDs: header.trainingCellIDs,
            trainingLatentMeans: Matrix(
                rows: header.trainingCellIDs.count, columns: latent, storage: header.trainingLatentMeans),
            trainingLabels: header.trainingLabels, history: header.history, seed: header.seed,
            setup: header.setup, latentMixtures: header.latentMixtures, outputOffsets: header.outputOffsets,
            latentShrinkage: header.latentShrinkage)
    }

    /// Checks every count, offset and shape of a decoded header against the file and against
    /// each other before anything is allocated from them; errors say "damaged model file" and
    /// name the part.
    static func validate(_ header: Header, payloadFloats: Int, bad: (String) -> VAExprsError) throws {
        func damaged(_ what: String) -> VAExprsError { bad("damaged model file: \(what); fit again or restore a copy") }
        var paths = Set<String>()
        var total = 0
        for entry in header.weights {
            guard entry.offset >= 0, entry.count >= 0, entry.offset <= payloadFloats,
                entry.count <= payloadFloats - entry.offset
            else {
                throw damaged(
                    """
                    weight '\(entry.path)' (offset \(entry.offset), \(entry.count) values) lies outside the \
                    \(payloadFloats) stored values
                    """
                )
            }
            var product = 1
            for extent in entry.shape {
                let (p, overflow) = product.multipliedReportingOverflow(by: extent)
                guard extent >= 0, !overflow else {
                    throw damaged("weight '\(entry.path)' has the impossible shape \(entry.shape)")
                }
                product = p
            }
            guard product == entry.count else {
                throw damaged("weight '\(entry.path)' has shape \(entry.shape) but \(entry.count) values")
            }
            guard paths.insert(entry.path).inserted else { throw damaged("weight '\(entry.path)' appears twice") }
            total += entry.count
        }
        guard total <= payloadFloats else {
            throw damaged("the weight table lists \(total) values, the file holds \(payloadFloats)")
        }
        guard header.featureCount >= 1, header.featureCount == header.geneNames.count else {
            throw damaged("\(header.featureCount) features but \(header.geneNames.count) gene names")
        }
        guard !header.trainingCellIDs.isEmpty else { throw damaged("no training cells") }
        try validate(
            header.preprocessing, features: header.featureCount, cells: header.trainingCellIDs.count, damaged: damaged)
        do { try header.spec.validate() } catch let error as VAExprsError {
            throw damaged("architecture: \(error.template)")
        }
        let latent = header.spec.latentDimension
        if let mixtures = header.latentMixtures {
            // Constant latent dimensions are held outside a mixture, so it may have fewer.
            guard !mixtures.groups.isEmpty, mixtures.groups.count <= header.trainingCellIDs.count,
                mixtures.groups.allSatisfy({ $0.isConsistent && $0.dimension <= latent }),
                Set(mixtures.groups.map(\.label)).count == mixtures.groups.count
            else {
                throw damaged(
                    "the stored latent mixtures do not agree with the latent space (sizes, numbers or label groups)")
            }
        }
        if let offsets = header.outputOffsets, !offsets.isConsistent(features: header.featureCount) {
            throw damaged(
                "the stored output offsets do not agree with the genes (one finite offset per gene and label group)")
        }
        if let shrinkage = header.latentShrinkage, !shrinkage.isConsistent(dimension: latent) {
            throw damaged(
                """
                the stored latent shrinkage does not agree with the latent space (a factor in [0, 1], one centre \
                per label)
                """
            )
        }
        let (latentValues, overflow) = header.trainingCellIDs.count.multipliedReportingOverflow(by: latent)
        guard !overflow, header.trainingLatentMeans.count == latentValues else {
            throw damaged(
                """
                \(header.trainingLatentMeans.count) latent means for \(header.trainingCellIDs.count) cells × \
                \(latent) dimensions
                """
            )
        }
        if let conditions = header.conditions {
            guard !conditions.columns.isEmpty, conditions.classes.count == conditions.columns.count,
                conditions.classes.allSatisfy({ !$0.isEmpty })
            else {
                throw damaged(
                    """
                    the label encoding has \(conditions.columns.count) columns but \(conditions.classes.count) \
                    class lists
                    """
                )
            }
            guard let labels = header.trainingLabels, labels.count == header.trainingCellIDs.count,
                labels.allSatisfy({ row in
                    row.count == conditions.columns.count
                        && zip(row, conditions.classes).allSatisfy { $1.contains($0) }
                })
            else {
                throw damaged(
                    """
                    the training cells' labels do not match the label encoding \
                    (\(conditions.columns.joined(separator: ", ")))
                    """
                )
            }
        }
        // The built-in layers' weights follow from the architecture: if even their lower bound
        // exceeds what the file holds, building the network would allocate from damaged widths.
        let needed = minimumWeights(
            header.spec, features: header.featureCount, conditionWidth: header.conditions?.width ?? 0)
        guard needed <= payloadFloats else {
            throw damaged("the architecture needs at least \(needed) weights, the file holds \(payloadFloats)")
        }
    }

    /// The preprocessing statistics agree with the genes and training cells they describe:
    /// generation indexes them by gene and by training cell.
    static func validate(_ p: Preprocessing, features: Int, cells: Int, damaged: (String) -> VAExprsError) throws {
        let perGene = p.modelsCounts && p.geneMinimum.isEmpty ? 0 : features
        guard p.geneMinimum.count == perGene, p.geneRange.count == perGene else {
            throw damaged(
                """
                preprocessing holds \(p.geneMinimum.count) gene minima and \(p.geneRange.count) ranges for \
                \(features) genes
                """
            )
        }
        guard p.geneMinimum.allSatisfy(\.isFinite), p.geneRange.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw damaged("preprocessing holds gene minima or ranges that are not finite (or negative ranges)")
        }
        guard p.trainingSizeFactors.isEmpty || p.trainingSizeFactors.count == cells,
            p.trainingSizeFactors.allSatisfy({ $0.isFinite && $0 >= 0 })
        else {
            throw damaged(
                """
                preprocessing holds \(p.trainingSizeFactors.count) size factors for \(cells) training cells, or \
                factors that are not numbers ≥ 0
                """
            )
        }
        if let libraries = p.trainingLibrarySizes {
            guard libraries.count == cells, libraries.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
                throw damaged(
                    """
                    preprocessing holds \(libraries.count) library sizes for \(cells) training cells, or sizes \
                    that are not numbers ≥ 0
                    """
                )
            }
        }
        if let log = p.logInput {
            guard p.modelsCounts, log.targets.count == cells, log.targets.allSatisfy({ $0.isFinite && $0 > 0 }) else {
                throw damaged(
                    """
                    preprocessing holds \(log.targets.count) log-normalisation targets for \(cells) training cells, \
                    targets that are not numbers > 0, or targets for a model of continuous values
                    """
                )
            }
        }
        guard p.meanLibrarySize.isFinite, p.meanLibrarySize >= 0 else {
            throw damaged("the mean library size \(p.meanLibrarySize) is not a number ≥ 0")
        }
    }

    /// A lower bound on the weights of a network with this spec, from its built-in dense layers
    /// (plugin layers count as none); Int.max when a width is not a sane number.
    static func minimumWeights(_ spec: ModelSpec, features: Int, conditionWidth: Int) -> Int {
        var total = 0
        func add(_ inputs: Int, _ outputs: Int) -> Bool {
            let (w, o1) = inputs.multipliedReportingOverflow(by: outputs)
            let (t, o2) = total.addingReportingOverflow(w)
            guard !o1, !o2, inputs >= 0, outputs >= 0 else {
                total = .max
                return false
            }
            total = t
            return true
        }
        func dense(_ s: ComponentSpec) -> Int? {
            guard s.name == "dense" else { return nil }
            return (try? s.int("units", position: 0)) ?? -1
        }
        var width = features + conditionWidth
        for s in spec.encoder {
            if let units = dense(s) {
                guard add(width, units) else { return .max }
                width = units
            }
        }
        guard add(width, 2 * spec.latentDimension) else { return .max }
        width = spec.latentDimension + conditionWidth
        for s in spec.decoder {
            if let units = dense(s) {
                guard add(width, units) else { return .max }
                width = units
            }
        }
        guard add(width, features) else { return .max }
        return total
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
