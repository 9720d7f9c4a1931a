/// The transcript hashes after a commit (RFC 9420 §8.2):
///
///     confirmed_transcript_hash_[n] = Hash(interim_transcript_hash_[n-1] || ConfirmedTranscriptHashInput_[n])
///     interim_transcript_hash_[n] = Hash(confirmed_transcript_hash_[n] || InterimTranscriptHashInput_[n])
///
/// with `struct { WireFormat wire_format; FramedContent content; opaque signature<V>; }
/// ConfirmedTranscriptHashInput` and `struct { MAC confirmation_tag; } InterimTranscriptHashInput`. The interim hash
/// of epoch 0 is the empty string.
public struct TranscriptHashes: Sendable, Equatable {
    /// `confirmed_transcript_hash` of the new epoch, which goes into its GroupContext.
    public let confirmed: [UInt8]
    /// `interim_transcript_hash` of the new epoch, the input to the next commit's confirmed hash.
    public let interim: [UInt8]

    /// The hashes after `commit` (which must be a commit with its confirmation tag), from the previous epoch's
    /// interim transcript hash.
    public init(
        interimBefore: [UInt8],
        commit: AuthenticatedContent,
        provider: any CipherSuiteProvider
    ) throws(MLSError) {
        guard let confirmationTag = commit.auth.confirmationTag else {
            throw MLSError(
                .invalidValue("transcript hashes are updated by commits only"),
                context: "\(commit.content.contentType) content"
            )
        }
        confirmed = try Self.confirmedTranscriptHash(
            interimBefore: interimBefore,
            wireFormat: commit.wireFormat,
            content: commit.content,
            signature: commit.auth.signature,
            provider: provider
        )
        interim = Self.interimTranscriptHash(
            confirmed: confirmed,
            confirmationTag: confirmationTag,
            provider: provider
        )
    }

    /// `Hash(interim_transcript_hash_[n-1] || ConfirmedTranscriptHashInput)` for a commit `content` with its
    /// `signature`, sent in `wireFormat` (§8.2); throws unless `content` is a commit.
    public static func confirmedTranscriptHash(
        interimBefore: [UInt8],
        wireFormat: WireFormat,
        content: FramedContent,
        signature: [UInt8],
        provider: any CipherSuiteProvider
    ) throws(MLSError) -> [UInt8] {
        guard content.contentType == .commit else {
            throw MLSError(
                .invalidValue("transcript hashes are updated by commits only"),
                context: "\(content.contentType) content"
            )
        }
        var writer = TLSWriter()
        writer.writeFixed(interimBefore)
        wireFormat.encode(to: &writer)
        content.encode(to: &writer)
        writer.writeOpaque(signature)
        return provider.hash(writer.bytes)
    }

    /// `Hash(confirmed_transcript_hash_[n] || InterimTranscriptHashInput)` (§8.2).
    public static func interimTranscriptHash(
        confirmed: [UInt8],
        confirmationTag: [UInt8],
        provider: any CipherSuiteProvider
    ) -> [UInt8] {
        var writer = TLSWriter()
        writer.writeFixed(confirmed)
        writer.writeOpaque(confirmationTag)
        return provider.hash(writer.bytes)
    }
}
