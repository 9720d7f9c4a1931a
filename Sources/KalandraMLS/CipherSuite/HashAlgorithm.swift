import Crypto
import Foundation
import KalandraCrypto

/// A hash function with its HMAC and HKDF (RFC 5869), as cipher suites and HPKE KDFs use them. SHA-384 and SHA-512
/// are here for suites 5 and 7, which need only a KEM and a signature scheme added.
enum HashAlgorithm: Sendable {
    case sha256
    case sha384
    case sha512

    /// `Nh`: the output length in bytes.
    var outputLength: Int {
        switch self {
        case .sha256: 32
        case .sha384: 48
        case .sha512: 64
        }
    }

    /// The RFC 9180 KDF identifier of HKDF with this hash.
    var hpkeKDFIdentifier: UInt16 {
        switch self {
        case .sha256: 0x0001
        case .sha384: 0x0002
        case .sha512: 0x0003
        }
    }

    func hash(_ data: [UInt8]) -> [UInt8] {
        switch self {
        case .sha256: Array(SHA256.hash(data: data))
        case .sha384: Array(SHA384.hash(data: data))
        case .sha512: Array(SHA512.hash(data: data))
        }
    }

    func mac(key: SecretBytes, data: [UInt8]) -> [UInt8] {
        switch self {
        case .sha256: Self.mac(SHA256.self, key: key, data: data)
        case .sha384: Self.mac(SHA384.self, key: key, data: data)
        case .sha512: Self.mac(SHA512.self, key: key, data: data)
        }
    }

    /// HKDF-Extract(salt, prefix ‖ ikm). The prefix (a public label) is fed to the HMAC before the secret, so the two
    /// are never concatenated into unprotected memory.
    func extract(salt: SecretBytes, prefix: [UInt8] = [], inputKeyMaterial: SecretBytes) -> SecretBytes {
        switch self {
        case .sha256: Self.extract(SHA256.self, salt: salt, prefix: prefix, inputKeyMaterial: inputKeyMaterial)
        case .sha384: Self.extract(SHA384.self, salt: salt, prefix: prefix, inputKeyMaterial: inputKeyMaterial)
        case .sha512: Self.extract(SHA512.self, salt: salt, prefix: prefix, inputKeyMaterial: inputKeyMaterial)
        }
    }

    /// HKDF-Expand(prk, info, length), for 0 ≤ length ≤ 255 · Nh (swift-crypto traps outside 1...255 · Nh, so the
    /// range is checked here and an empty output produced without calling it).
    func expand(pseudorandomKey: SecretBytes, info: [UInt8], length: Int) throws(MLSError) -> SecretBytes {
        guard length >= 0 && length <= 255 * outputLength else {
            throw MLSError(.invalidValue("HKDF-Expand length \(length) outside 0...\(255 * outputLength)"))
        }
        if length == 0 { return SecretBytes(copying: []) }
        return switch self {
        case .sha256: Self.expand(SHA256.self, pseudorandomKey: pseudorandomKey, info: info, length: length)
        case .sha384: Self.expand(SHA384.self, pseudorandomKey: pseudorandomKey, info: info, length: length)
        case .sha512: Self.expand(SHA512.self, pseudorandomKey: pseudorandomKey, info: info, length: length)
        }
    }

    /// RFC 9180 §4 `LabeledExtract(salt, label, ikm)` under `suiteID`.
    func labeledExtract(
        suiteID: [UInt8],
        salt: SecretBytes,
        label: String,
        inputKeyMaterial: SecretBytes
    ) -> SecretBytes {
        extract(
            salt: salt,
            prefix: Self.hpkeVersionLabel + suiteID + Array(label.utf8),
            inputKeyMaterial: inputKeyMaterial
        )
    }

    /// RFC 9180 §4 `LabeledExpand(prk, label, info, length)` under `suiteID`; `length` must fit in 16 bits.
    func labeledExpand(
        suiteID: [UInt8],
        pseudorandomKey: SecretBytes,
        label: String,
        info: [UInt8],
        length: Int
    ) throws(MLSError) -> SecretBytes {
        guard let length16 = UInt16(exactly: length) else {
            throw MLSError(.invalidValue("LabeledExpand length \(length) does not fit in 16 bits"))
        }
        let labeledInfo =
            [UInt8(length16 >> 8), UInt8(truncatingIfNeeded: length16)] + Self.hpkeVersionLabel + suiteID
            + Array(label.utf8) + info
        return try expand(pseudorandomKey: pseudorandomKey, info: labeledInfo, length: length)
    }

    private static let hpkeVersionLabel = Array("HPKE-v1".utf8)

    private static func mac<H: HashFunction>(_: H.Type, key: SecretBytes, data: [UInt8]) -> [UInt8] {
        let symmetricKey = key.withUnsafeBytes { SymmetricKey(data: $0) }
        return Array(HMAC<H>.authenticationCode(for: data, using: symmetricKey))
    }

    private static func extract<H: HashFunction>(
        _: H.Type,
        salt: SecretBytes,
        prefix: [UInt8],
        inputKeyMaterial: SecretBytes
    ) -> SecretBytes {
        let key = salt.withUnsafeBytes { SymmetricKey(data: $0) }
        var hmac = HMAC<H>(key: key)
        hmac.update(data: prefix)
        inputKeyMaterial.withUnsafeBytes { hmac.update(data: $0) }
        return hmac.finalize().withUnsafeBytes { SecretBytes(copying: $0) }
    }

    private static func expand<H: HashFunction>(
        _: H.Type,
        pseudorandomKey: SecretBytes,
        info: [UInt8],
        length: Int
    ) -> SecretBytes {
        let prk = pseudorandomKey.withUnsafeBytes { SymmetricKey(data: $0) }
        let output = HKDF<H>.expand(pseudoRandomKey: prk, info: info, outputByteCount: length)
        return output.withUnsafeBytes { SecretBytes(copying: $0) }
    }
}
