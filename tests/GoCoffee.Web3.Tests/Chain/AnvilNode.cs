using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using Nethereum.Hex.HexTypes;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3.Accounts;

namespace GoCoffee.Web3.Tests.Chain;

/// <summary>
/// A real anvil node (Foundry's local Ethereum node) on a free loopback port, a child of the test process, with its
/// ten funded development accounts. Found on PATH or in <c>.run/tools/bin</c> (<c>scripts/tools.sh</c> fetches it from
/// npm). Transactions are mined as they arrive (automine) unless a block time is given; <c>anvil_mine</c> and
/// <c>anvil_reorg</c> make confirmations and reorganisations on demand.
/// </summary>
public sealed class AnvilNode : IAsyncDisposable
{
    public const long ChainId = 31337;

    /// <summary>anvil's first development account (mnemonic "test test ... junk"), funded with 10 000 ETH.</summary>
    public const string PayerKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    private readonly Process _process;

    private AnvilNode(Process process, int port)
    {
        _process = process;
        RpcUrl = $"http://127.0.0.1:{port}";
        Payer = new Account(PayerKey, ChainId);
        Web3 = new Nethereum.Web3.Web3(Payer, RpcUrl);
        Web3.TransactionManager.UseLegacyAsDefault = false;
    }

    public string RpcUrl { get; }

    public Account Payer { get; }

    /// <summary>Nethereum, signing as <see cref="Payer"/>.</summary>
    public Nethereum.Web3.Web3 Web3 { get; }

    public static async Task<AnvilNode> Start(double? blockTimeSeconds = null)
    {
        var port = FreePort();
        var start = new ProcessStartInfo(Executable())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in Arguments(port, blockTimeSeconds))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("anvil did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var node = new AnvilNode(process, port);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"anvil exited with {process.ExitCode}.");
            }

            try
            {
                if ((await node.Web3.Eth.ChainId.SendRequestAsync()).Value == ChainId)
                {
                    break;
                }
            }
            catch (Nethereum.JsonRpc.Client.RpcClientUnknownException) when (DateTime.UtcNow < deadline)
            {
                // Not listening yet.
            }

            await Task.Delay(50);
        }

        return node;
    }

    /// <summary>The arguments the tests (and the app host) start anvil with.</summary>
    public static IEnumerable<string> Arguments(int port, double? blockTimeSeconds)
    {
        string[] arguments = ["--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--chain-id", ChainId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent"];
        return blockTimeSeconds is { } seconds ? [.. arguments, "--block-time", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)] : arguments;
    }

    public async Task<long> Head() => (long)(await Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;

    public async Task<string> HashAt(long number) =>
        (await Web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(new HexBigInteger(number))).BlockHash;

    /// <summary>Mines <paramref name="blocks"/> empty blocks at once.</summary>
    public Task Mine(int blocks) => Call("anvil_mine", new HexBigInteger(blocks).HexValue);

    /// <summary>Replaces the last <paramref name="depth"/> blocks with as many new ones without their transactions.</summary>
    public async Task Reorg(int depth)
    {
        await Call("anvil_reorg", depth, Array.Empty<object>());

        // The payer's transactions in the replaced blocks are gone: its next nonce is the chain's again.
        await Payer.NonceService.ResetNonceAsync();
    }

    /// <summary>The timestamp the next block gets (seconds since the epoch).</summary>
    public Task SetNextBlockTime(DateTimeOffset at) => Call("evm_setNextBlockTimestamp", at.ToUnixTimeSeconds());

    /// <summary>Sends <paramref name="wei"/> from the payer; returns the mined receipt.</summary>
    public async Task<TransactionReceipt> Pay(string to, BigInteger wei)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var receipt = await Web3.TransactionManager.SendTransactionAndWaitForReceiptAsync(
            new TransactionInput { From = Payer.Address, To = to, Value = new HexBigInteger(wei), Gas = new HexBigInteger(21_000) }, timeout.Token);
        return receipt.Status.Value == 1 ? receipt : throw new InvalidOperationException($"Payment {receipt.TransactionHash} reverted.");
    }

    public async Task Call(string method, params object[] parameters) =>
        await Web3.Client.SendRequestAsync(new RpcRequest(Guid.NewGuid().ToString("N"), method, parameters));

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static string Executable()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("ANVIL_PATH");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return fromEnvironment;
        }

        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(directory, "anvil");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, ".run", "tools", "bin", "anvil");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("anvil is not on PATH nor in .run/tools/bin: run scripts/tools.sh (it fetches it from npm, @foundry-rs/anvil-linux-amd64).");
    }

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}
