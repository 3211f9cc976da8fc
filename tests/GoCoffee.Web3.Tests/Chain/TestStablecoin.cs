using System.Numerics;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;

namespace GoCoffee.Web3.Tests.Chain;

// The token's source, compiled once with solc 0.8.37 (npm package solc; optimizer on, 200 runs, EVM version paris) into
// Bytecode below:
//
// // SPDX-License-Identifier: MIT
// pragma solidity 0.8.37;
// 
// // A minimal ERC-20 stablecoin for tests: 6 decimals, the whole supply minted to the deployer.
// contract TestStablecoin {
//     string public constant name = "Test USD";
//     string public constant symbol = "TUSD";
//     uint8 public constant decimals = 6;
//     uint256 public totalSupply;
//     mapping(address => uint256) public balanceOf;
//     mapping(address => mapping(address => uint256)) public allowance;
// 
//     event Transfer(address indexed from, address indexed to, uint256 value);
//     event Approval(address indexed owner, address indexed spender, uint256 value);
// 
//     constructor(uint256 supply) {
//         totalSupply = supply;
//         balanceOf[msg.sender] = supply;
//         emit Transfer(address(0), msg.sender, supply);
//     }
// 
//     function transfer(address to, uint256 value) external returns (bool) {
//         _move(msg.sender, to, value);
//         return true;
//     }
// 
//     function approve(address spender, uint256 value) external returns (bool) {
//         allowance[msg.sender][spender] = value;
//         emit Approval(msg.sender, spender, value);
//         return true;
//     }
// 
//     function transferFrom(address from, address to, uint256 value) external returns (bool) {
//         allowance[from][msg.sender] -= value;
//         _move(from, to, value);
//         return true;
//     }
// 
//     function _move(address from, address to, uint256 value) private {
//         balanceOf[from] -= value;
//         balanceOf[to] += value;
//         emit Transfer(from, to, value);
//     }
// }

/// <summary>A minimal ERC-20 stablecoin (6 decimals) the tests deploy on anvil; its source is above.</summary>
public static class TestStablecoin
{
    public const string Symbol = "TUSD";

    public const int Decimals = 6;

    public const string Bytecode = "0x6080604052348015600f57600080fd5b50604051610578380380610578833981016040819052602c91607b565b600081815533808252600160209081526040808420859055518481529192917fddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef910160405180910390a3506093565b600060208284031215608c57600080fd5b5051919050565b6104d6806100a26000396000f3fe608060405234801561001057600080fd5b50600436106100935760003560e01c8063313ce56711610066578063313ce5671461012257806370a082311461013c57806395d89b411461015c578063a9059cbb1461017f578063dd62ed3e1461019257600080fd5b806306fdde0314610098578063095ea7b3146100d557806318160ddd146100f857806323b872dd1461010f575b600080fd5b6100bf6040518060400160405280600881526020016715195cdd081554d160c21b81525081565b6040516100cc919061033e565b60405180910390f35b6100e86100e33660046103a8565b6101bd565b60405190151581526020016100cc565b61010160005481565b6040519081526020016100cc565b6100e861011d3660046103d2565b61022a565b61012a600681565b60405160ff90911681526020016100cc565b61010161014a36600461040f565b60016020526000908152604090205481565b6100bf60405180604001604052806004815260200163151554d160e21b81525081565b6100e861018d3660046103a8565b61027a565b6101016101a0366004610431565b600260209081526000928352604080842090915290825290205481565b3360008181526002602090815260408083206001600160a01b038716808552925280832085905551919290917f8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925906102189086815260200190565b60405180910390a35060015b92915050565b6001600160a01b038316600090815260026020908152604080832033845290915281208054839190839061025f90849061047a565b909155506102709050848484610290565b5060019392505050565b6000610287338484610290565b50600192915050565b6001600160a01b038316600090815260016020526040812080548392906102b890849061047a565b90915550506001600160a01b038216600090815260016020526040812080548392906102e590849061048d565b92505081905550816001600160a01b0316836001600160a01b03167fddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef8360405161033191815260200190565b60405180910390a3505050565b602081526000825180602084015260005b8181101561036c576020818601810151604086840101520161034f565b506000604082850101526040601f19601f83011684010191505092915050565b80356001600160a01b03811681146103a357600080fd5b919050565b600080604083850312156103bb57600080fd5b6103c48361038c565b946020939093013593505050565b6000806000606084860312156103e757600080fd5b6103f08461038c565b92506103fe6020850161038c565b929592945050506040919091013590565b60006020828403121561042157600080fd5b61042a8261038c565b9392505050565b6000806040838503121561044457600080fd5b61044d8361038c565b915061045b6020840161038c565b90509250929050565b634e487b7160e01b600052601160045260246000fd5b8181038181111561022457610224610464565b808201808211156102245761022461046456fea26469706673582212207ec1cc6ae6f6ebe7f656cd44e47cda84a640a08a45e6815b572baadac07ab48964736f6c63430008250033";

    /// <summary>Deploys it with <paramref name="supply"/> base units minted to the payer; returns the contract address.</summary>
    public static async Task<string> Deploy(AnvilNode node, BigInteger supply)
    {
        var receipt = await node.Web3.TransactionManager.SendTransactionAndWaitForReceiptAsync(
            new TransactionInput { From = node.Payer.Address, Data = Bytecode + Word(supply), Gas = new HexBigInteger(2_000_000) });
        return receipt.Status.Value == 1 && receipt.ContractAddress is { } address ? address : throw new InvalidOperationException("The token deployment reverted.");
    }

    /// <summary>The payer's <c>transfer(to, value)</c>; returns the mined receipt (its Transfer log is the payment).</summary>
    public static async Task<TransactionReceipt> Transfer(AnvilNode node, string contract, string to, BigInteger value)
    {
        var data = "0xa9059cbb" + Word(BigInteger.Parse("0" + to[2..], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture)) + Word(value);
        var receipt = await node.Web3.TransactionManager.SendTransactionAndWaitForReceiptAsync(
            new TransactionInput { From = node.Payer.Address, To = contract, Data = data, Gas = new HexBigInteger(100_000) });
        return receipt.Status.Value == 1 ? receipt : throw new InvalidOperationException($"Token transfer {receipt.TransactionHash} reverted.");
    }

    private static string Word(BigInteger value) => value.ToString("x64", System.Globalization.CultureInfo.InvariantCulture)[^64..];
}
