import Foundation
import VAExprs

/// Structure-aware targets for the HDF5 readers: the input is a recipe (shapes, encodings,
/// types, array contents, which parts exist) from which a well-formed HDF5 file is built with
/// `HDF5Writer`, so that what is fuzzed is our interpretation of the structure, not the HDF5
/// library's parsing of raw bytes (a C library we cannot fix, not instrumented here).
enum HDF5Targets {
    /// An `.h5ad`: X as CSR, CSC or dense, with shapes, offsets, indices and values from the
    /// recipe, obs and var indexes, and a categorical or plain obs column.
    static func h5ad(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        withFile(
            "input.h5ad",
            build: { file in
                let cells = input.int(below: 6), genes = input.int(below: 6)
                let form = input.int(below: 4)  // 0 CSR, 1 CSC, 2 dense, 3 another encoding
                if form == 2 {
                    let rows = input.bool() ? cells : input.int(below: 6),
                        columns = input.bool() ? genes : input.int(below: 6)
                    let double = input.bool()
                    let x = try HDF5Writer.GrowingDataset(
                        file, "/X", kind: double ? .float64 : .float32, columns: max(columns, 1))
                    let values = (0..<(rows * max(columns, 1))).map { _ in
                        Double(Float(bitPattern: input.raw(UInt32.self)))
                    }
                    if double { try x.append(values) } else { try x.append(values.map { Float($0) }) }
                    x.close()
                    if input.bool() { try file.setAttribute("/X", "encoding-type", "array") }
                } else {
                    try file.createGroup("/X")
                    try file.setAttribute(
                        "/X", "encoding-type", ["csr_matrix", "csc_matrix", "csr_matrix", input.string()][form])
                    let shape: [Int64] =
                        input.bool() ? [Int64(cells), Int64(genes)] : [input.raw(Int64.self), input.raw(Int64.self)]
                    if input.bool() {
                        try file.setAttribute("/X", "shape", integers: input.bool() ? shape : [shape[0]])
                    }
                    try compressed(
                        file, group: "/X", major: form == 1 ? genes : cells, minor: form == 1 ? cells : genes,
                        input: &input)
                }
                for (group, count) in [("/obs", cells), ("/var", genes)] where input.int(below: 8) != 0 {
                    try file.createGroup(group)
                    let n = input.bool() ? count : input.int(below: 7)
                    try file.setAttribute(group, "_index", input.bool() ? "_index" : input.string())
                    try file.writeStrings(group + "/_index", (0..<n).map { _ in input.string() })
                    if group == "/obs" && input.bool() {
                        let labels = input.bool() ? n : input.int(below: 7)
                        if input.bool() {
                            try file.createGroup("/obs/label")
                            try file.setAttribute("/obs/label", "encoding-type", "categorical")
                            try file.writeStrings(
                                "/obs/label/categories", (0..<input.int(below: 4)).map { _ in input.string() })
                            let codes = try HDF5Writer.GrowingDataset(file, "/obs/label/codes", kind: .int8, columns: 1)
                            try codes.append((0..<labels).map { _ in Int32(Int8(bitPattern: input.byte())) })
                            codes.close()
                        } else {
                            try file.writeStrings("/obs/label", (0..<labels).map { _ in input.string() })
                        }
                    }
                }
            },
            read: { path in
                _ = try? H5AD.read(path)
                if let rows = try? SparseRowFile(path) {
                    _ = try? rows.rows(0..<min(2, rows.cellIDs.count))
                    _ = try? rows.rows(at: Array(0..<rows.cellIDs.count).reversed())
                }
            })
    }

    /// A Cell Ranger `.h5`: /matrix with shape, barcodes, features and compressed columns from
    /// the recipe, each part present or not.
    static func tenXH5(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        withFile(
            "input.h5",
            build: { file in
                let cells = input.int(below: 6), genes = input.int(below: 6)
                if input.int(below: 8) != 0 {
                    try file.createGroup("/matrix")
                    if input.int(below: 8) != 0 {
                        try file.writeIntegers(
                            "/matrix/shape",
                            input.bool()
                                ? [Int32(genes), Int32(cells)]
                                : (0..<input.int(below: 4)).map { _ in input.raw(Int32.self) })
                    }
                    if input.int(below: 8) != 0 {
                        try file.writeStrings(
                            "/matrix/barcodes",
                            (0..<(input.bool() ? cells : input.int(below: 7))).map { _ in input.string() })
                    }
                    if input.int(below: 8) != 0 {
                        try file.createGroup("/matrix/features")
                        let n = input.bool() ? genes : input.int(below: 7)
                        for field in ["id", "name", "feature_type"] where input.int(below: 8) != 0 {
                            try file.writeStrings(
                                "/matrix/features/" + field,
                                (0..<(input.bool() ? n : input.int(below: 7))).map { _ in
                                    field == "feature_type" && input.bool() ? "Gene Expression" : input.string()
                                })
                        }
                    }
                    try compressed(file, group: "/matrix", major: cells, minor: genes, input: &input)
                }
            },
            read: { path in
                _ = try? TenXH5.read(path)
                _ = try? TenXH5.read(path, featureType: nil)
                if let rows = try? SparseRowFile(path) { _ = try? rows.rows(0..<min(3, rows.cellIDs.count)) }
            })
    }

    /// Builds `name` in the scratch folder with `build`, hands its path to `read`, and removes
    /// it; a recipe the writer refuses is skipped.
    private static func withFile(_ name: String, build: (HDF5Writer) throws -> Void, read: (String) -> Void) {
        FuzzTargets.remove(name)
        defer { FuzzTargets.remove(name) }
        let path = FuzzTargets.scratch + "/" + name
        do {
            let file = try HDF5Writer(creating: path)
            try build(file)
            try file.close()
        } catch {
            return
        }
        read(path)
    }

    /// data, indices and indptr under `group`: consistent, or with offsets, indices and lengths
    /// straight from the input; data as float32, float64 or int32.
    private static func compressed(_ file: HDF5Writer, group: String, major: Int, minor: Int, input: inout FuzzInput)
        throws
    {
        let entries = input.int(below: 12)
        var pointers: [Int64]
        if input.bool() {
            // Sorted offsets that end at the entry count.
            pointers = [0] + (0..<major).map { _ in Int64(input.int(below: entries + 1)) }.sorted()
            if !pointers.isEmpty { pointers[pointers.count - 1] = Int64(entries) }
        } else {
            pointers = (0..<(input.bool() ? major + 1 : input.int(below: 8))).map { _ in Int64(input.raw(Int8.self)) }
        }
        let indices = (0..<(input.bool() ? entries : input.int(below: 12))).map { _ -> Int32 in
            input.bool() ? Int32(input.int(below: max(minor, 1))) : input.raw(Int32.self)
        }
        let values = (0..<(input.bool() ? entries : input.int(below: 12))).map { _ in
            Double(Float(bitPattern: input.raw(UInt32.self)))
        }
        if input.int(below: 8) != 0 {
            switch input.int(below: 3) {
            case 0:
                let d = try HDF5Writer.GrowingDataset(file, group + "/data", kind: .float32, columns: 1)
                try d.append(values.map { Float($0) })
                d.close()
            case 1:
                let d = try HDF5Writer.GrowingDataset(file, group + "/data", kind: .float64, columns: 1)
                try d.append(values)
                d.close()
            default:
                let d = try HDF5Writer.GrowingDataset(file, group + "/data", kind: .int32, columns: 1)
                try d.append(values.map { $0.isFinite && abs($0) < 1e9 ? Int32($0) : 0 })
                d.close()
            }
        }
        if input.int(below: 8) != 0 {
            let d = try HDF5Writer.GrowingDataset(file, group + "/indices", kind: .int32, columns: 1)
            try d.append(indices)
            d.close()
        }
        if input.int(below: 8) != 0 {
            let d = try HDF5Writer.GrowingDataset(file, group + "/indptr", kind: .int64, columns: 1)
            try d.append(pointers)
            d.close()
        }
    }
}
