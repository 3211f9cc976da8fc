using GoCoffee.Contracts;

namespace GoCoffee.ClusterAgent.Targets;

/// <summary>
/// The cluster refused an operation on an object, or did not answer after the retries. Carries what a saga and an
/// operator need: which object, the HTTP status (0 when the API server never answered) and the API server's message.
/// </summary>
public sealed class ClusterRequestFailedException : Exception
{
    public ClusterRequestFailedException(ClusterObjectRef target, int statusCode, string reason, bool transient, Exception? innerException = null)
        : base($"{target}: {(statusCode == 0 ? "no answer" : statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture))} {reason}", innerException)
    {
        Target = target;
        StatusCode = statusCode;
        Reason = reason;
        Transient = transient;
    }

    public ClusterObjectRef Target { get; }

    public int StatusCode { get; }

    /// <summary>The API server's Status message (or the transport error), as the server worded it.</summary>
    public string Reason { get; }

    /// <summary>True when retrying later might succeed (the retries ran out), false when the request itself is wrong.</summary>
    public bool Transient { get; }
}
