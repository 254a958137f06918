"""A GMX v2.2 double in Vyper, compiled at test time: ExchangeRouter (multicall, sendWnt,
sendTokens, createOrder with GMX's exact CreateOrderParams, cancelOrder), Router (the ERC-20
spender), OrderVault, a keeper that executes or cancels orders at a price, and GMX-shaped events:
EventLog1/EventLog2 from the router (acting as EventEmitter) with GMX's EventLogData layout.
Errors are GMX's custom errors (raw revert data)."""

EVENT_STRUCTS = """
struct AddressKeyValue:
    key: String[64]
    value: address
struct AddressArrayKeyValue:
    key: String[64]
    value: DynArray[address, 2]
struct AddressItems:
    items: DynArray[AddressKeyValue, 8]
    arrayItems: DynArray[AddressArrayKeyValue, 1]
struct UintKeyValue:
    key: String[64]
    value: uint256
struct UintArrayKeyValue:
    key: String[64]
    value: DynArray[uint256, 2]
struct UintItems:
    items: DynArray[UintKeyValue, 12]
    arrayItems: DynArray[UintArrayKeyValue, 1]
struct IntKeyValue:
    key: String[64]
    value: int256
struct IntArrayKeyValue:
    key: String[64]
    value: DynArray[int256, 2]
struct IntItems:
    items: DynArray[IntKeyValue, 2]
    arrayItems: DynArray[IntArrayKeyValue, 1]
struct BoolKeyValue:
    key: String[64]
    value: bool
struct BoolArrayKeyValue:
    key: String[64]
    value: DynArray[bool, 2]
struct BoolItems:
    items: DynArray[BoolKeyValue, 4]
    arrayItems: DynArray[BoolArrayKeyValue, 1]
struct Bytes32KeyValue:
    key: String[64]
    value: bytes32
struct Bytes32ArrayKeyValue:
    key: String[64]
    value: DynArray[bytes32, 2]
struct Bytes32Items:
    items: DynArray[Bytes32KeyValue, 4]
    arrayItems: DynArray[Bytes32ArrayKeyValue, 1]
struct BytesKeyValue:
    key: String[64]
    value: Bytes[256]
struct BytesArrayKeyValue:
    key: String[64]
    value: DynArray[Bytes[32], 1]
struct BytesItems:
    items: DynArray[BytesKeyValue, 2]
    arrayItems: DynArray[BytesArrayKeyValue, 1]
struct StringKeyValue:
    key: String[64]
    value: String[128]
struct StringArrayKeyValue:
    key: String[64]
    value: DynArray[String[32], 1]
struct StringItems:
    items: DynArray[StringKeyValue, 2]
    arrayItems: DynArray[StringArrayKeyValue, 1]
struct EventLogData:
    addressItems: AddressItems
    uintItems: UintItems
    intItems: IntItems
    boolItems: BoolItems
    bytes32Items: Bytes32Items
    bytesItems: BytesItems
    stringItems: StringItems
"""

WNT = """
# pragma version ~=0.4.0
balanceOf: public(HashMap[address, uint256])
allowance: public(HashMap[address, HashMap[address, uint256]])
@external
@payable
def deposit():
    self.balanceOf[msg.sender] += msg.value
@external
def transfer(to: address, amount: uint256) -> bool:
    self.balanceOf[msg.sender] -= amount
    self.balanceOf[to] += amount
    return True
@external
def approve(spender: address, amount: uint256) -> bool:
    self.allowance[msg.sender][spender] = amount
    return True
@external
def transferFrom(owner: address, to: address, amount: uint256) -> bool:
    self.allowance[owner][msg.sender] -= amount
    self.balanceOf[owner] -= amount
    self.balanceOf[to] += amount
    return True
"""

USDC = """
# pragma version ~=0.4.0
balanceOf: public(HashMap[address, uint256])
allowance: public(HashMap[address, HashMap[address, uint256]])
symbol: public(String[8])
@deploy
def __init__(holder: address, supply: uint256):
    self.balanceOf[holder] = supply
    self.symbol = "USDC"
@external
def transfer(to: address, amount: uint256) -> bool:
    assert self.balanceOf[msg.sender] >= amount, "ERC20: transfer amount exceeds balance"
    self.balanceOf[msg.sender] -= amount
    self.balanceOf[to] += amount
    return True
@external
def approve(spender: address, amount: uint256) -> bool:
    self.allowance[msg.sender][spender] = amount
    return True
@external
def transferFrom(owner: address, to: address, amount: uint256) -> bool:
    assert self.allowance[owner][msg.sender] >= amount, "ERC20: insufficient allowance"
    assert self.balanceOf[owner] >= amount, "ERC20: transfer amount exceeds balance"
    self.allowance[owner][msg.sender] -= amount
    self.balanceOf[owner] -= amount
    self.balanceOf[to] += amount
    return True
"""

ROUTER = """
# pragma version ~=0.4.0
interface ERC20:
    def transferFrom(owner: address, to: address, amount: uint256) -> bool: nonpayable
owner: address
controller: public(address)
@deploy
def __init__():
    self.owner = msg.sender
@external
def setController(c: address):
    assert msg.sender == self.owner and self.controller == empty(address)
    self.controller = c
@external
def pluginTransfer(token: address, account: address, receiver: address, amount: uint256):
    assert msg.sender == self.controller, "Unauthorized"
    assert extcall ERC20(token).transferFrom(account, receiver, amount)
"""

VAULT = """
# pragma version ~=0.4.0
interface ERC20:
    def balanceOf(a: address) -> uint256: view
    def transfer(to: address, amount: uint256) -> bool: nonpayable
owner: address
controller: public(address)
recorded: public(HashMap[address, uint256])
@deploy
def __init__():
    self.owner = msg.sender
@external
def setController(c: address):
    assert msg.sender == self.owner and self.controller == empty(address)
    self.controller = c
@external
def recordTransferIn(token: address) -> uint256:
    assert msg.sender == self.controller, "Unauthorized"
    bal: uint256 = staticcall ERC20(token).balanceOf(self)
    d: uint256 = bal - self.recorded[token]
    self.recorded[token] = bal
    return d
@external
def transferOut(token: address, receiver: address, amount: uint256):
    assert msg.sender == self.controller, "Unauthorized"
    if amount > 0:
        assert extcall ERC20(token).transfer(receiver, amount)
        self.recorded[token] -= amount
"""

EXCHANGE_ROUTER = """
# pragma version ~=0.4.0
interface WNTI:
    def deposit(): payable
    def transfer(to: address, amount: uint256) -> bool: nonpayable
interface RouterI:
    def pluginTransfer(token: address, account: address, receiver: address, amount: uint256): nonpayable
interface VaultI:
    def recordTransferIn(token: address) -> uint256: nonpayable
    def transferOut(token: address, receiver: address, amount: uint256): nonpayable

struct CreateOrderParamsAddresses:
    receiver: address
    cancellationReceiver: address
    callbackContract: address
    uiFeeReceiver: address
    market: address
    initialCollateralToken: address
    swapPath: DynArray[address, 4]
struct CreateOrderParamsNumbers:
    sizeDeltaUsd: uint256
    initialCollateralDeltaAmount: uint256
    triggerPrice: uint256
    acceptablePrice: uint256
    executionFee: uint256
    callbackGasLimit: uint256
    minOutputAmount: uint256
    validFromTime: uint256
struct CreateOrderParams:
    addresses: CreateOrderParamsAddresses
    numbers: CreateOrderParamsNumbers
    orderType: uint8
    decreasePositionSwapType: uint8
    isLong: bool
    shouldUnwrapNativeToken: bool
    autoCancel: bool
    referralCode: bytes32
    dataList: DynArray[bytes32, 4]

struct Order:
    account: address
    receiver: address
    market: address
    collateralToken: address
    orderType: uint8
    isLong: bool
    sizeDeltaUsd: uint256
    collateral: uint256
    acceptablePrice: uint256
    executionFee: uint256
    status: uint8
    createdAt: uint256

struct Position:
    sizeInUsd: uint256
    sizeInTokens: uint256
    collateral: uint256
""" + EVENT_STRUCTS + """
wnt: public(address)
router: public(address)
vault: public(address)
keeper: public(address)
nonce: public(uint256)
orders: public(HashMap[bytes32, Order])
positions: public(HashMap[bytes32, Position])

EVENT_LOG1: constant(bytes32) = keccak256("EventLog1(address,string,string,bytes32,(((string,address)[],(string,address[])[]),((string,uint256)[],(string,uint256[])[]),((string,int256)[],(string,int256[])[]),((string,bool)[],(string,bool[])[]),((string,bytes32)[],(string,bytes32[])[]),((string,bytes)[],(string,bytes[])[]),((string,string)[],(string,string[])[])))")
EVENT_LOG2: constant(bytes32) = keccak256("EventLog2(address,string,string,bytes32,bytes32,(((string,address)[],(string,address[])[]),((string,uint256)[],(string,uint256[])[]),((string,int256)[],(string,int256[])[]),((string,bool)[],(string,bool[])[]),((string,bytes32)[],(string,bytes32[])[]),((string,bytes)[],(string,bytes[])[]),((string,string)[],(string,string[])[])))")

@deploy
def __init__(wnt: address, router: address, vault: address, keeper: address):
    self.wnt = wnt
    self.router = router
    self.vault = vault
    self.keeper = keeper

@internal
def _data(addrs: DynArray[AddressKeyValue, 8], uints: DynArray[UintKeyValue, 12], bools: DynArray[BoolKeyValue, 4],
          b32s: DynArray[Bytes32KeyValue, 4], bys: DynArray[BytesKeyValue, 2], strs: DynArray[StringKeyValue, 2]) -> EventLogData:
    return EventLogData(addressItems=AddressItems(items=addrs, arrayItems=[]), uintItems=UintItems(items=uints, arrayItems=[]),
                        intItems=IntItems(items=[], arrayItems=[]), boolItems=BoolItems(items=bools, arrayItems=[]),
                        bytes32Items=Bytes32Items(items=b32s, arrayItems=[]), bytesItems=BytesItems(items=bys, arrayItems=[]),
                        stringItems=StringItems(items=strs, arrayItems=[]))

@internal
def _log2(name: String[64], topic1: bytes32, topic2: bytes32, d: EventLogData):
    raw_log([EVENT_LOG2, keccak256(name), topic1, topic2], abi_encode(msg.sender, name, d))

@internal
def _log1(name: String[64], topic1: bytes32, d: EventLogData):
    raw_log([EVENT_LOG1, keccak256(name), topic1], abi_encode(msg.sender, name, d))

@external
@payable
def multicall(data: DynArray[Bytes[2048], 8]) -> DynArray[Bytes[64], 8]:
    out: DynArray[Bytes[64], 8] = []
    for d: Bytes[2048] in data:
        out.append(raw_call(self, d, max_outsize=64, is_delegate_call=True))
    return out

@external
@payable
def sendWnt(receiver: address, amount: uint256):
    extcall WNTI(self.wnt).deposit(value=amount)
    assert extcall WNTI(self.wnt).transfer(receiver, amount)

@external
@payable
def sendTokens(token: address, receiver: address, amount: uint256):
    extcall RouterI(self.router).pluginTransfer(token, msg.sender, receiver, amount)

@internal
@pure
def _increase(t: uint8) -> bool:
    return t == 2 or t == 3 or t == 8

@external
@payable
def createOrder(params: CreateOrderParams) -> bytes32:
    t: uint8 = params.orderType
    if t == 7 or t == 0 or t == 1:
        raw_revert(concat(method_id("OrderTypeCannotBeCreated(uint256)"), convert(convert(t, uint256), bytes32)))
    if (t == 2 or t == 4) and params.numbers.validFromTime != 0:
        raw_revert(concat(method_id("UnexpectedValidFromTime(uint256)"), convert(params.numbers.validFromTime, bytes32)))
    wntIn: uint256 = extcall VaultI(self.vault).recordTransferIn(self.wnt)
    fee: uint256 = params.numbers.executionFee
    collateral: uint256 = params.numbers.initialCollateralDeltaAmount
    if self._increase(t):
        if params.addresses.initialCollateralToken == self.wnt:
            collateral = wntIn - min(wntIn, fee)
        else:
            collateral = extcall VaultI(self.vault).recordTransferIn(params.addresses.initialCollateralToken)
    if wntIn < fee:
        raw_revert(concat(method_id("InsufficientWntAmountForExecutionFee(uint256,uint256)"), convert(wntIn, bytes32), convert(fee, bytes32)))
    key: bytes32 = keccak256(abi_encode(self, self.nonce))
    self.nonce += 1
    self.orders[key] = Order(account=msg.sender, receiver=params.addresses.receiver, market=params.addresses.market,
                             collateralToken=params.addresses.initialCollateralToken, orderType=t, isLong=params.isLong,
                             sizeDeltaUsd=params.numbers.sizeDeltaUsd, collateral=collateral, acceptablePrice=params.numbers.acceptablePrice,
                             executionFee=fee, status=1, createdAt=block.timestamp)
    self._log2("OrderCreated", key, convert(msg.sender, bytes32), self._data(
        [AddressKeyValue(key="account", value=msg.sender), AddressKeyValue(key="market", value=params.addresses.market),
         AddressKeyValue(key="initialCollateralToken", value=params.addresses.initialCollateralToken)],
        [UintKeyValue(key="orderType", value=convert(t, uint256)), UintKeyValue(key="sizeDeltaUsd", value=params.numbers.sizeDeltaUsd),
         UintKeyValue(key="initialCollateralDeltaAmount", value=collateral), UintKeyValue(key="acceptablePrice", value=params.numbers.acceptablePrice),
         UintKeyValue(key="executionFee", value=fee)],
        [BoolKeyValue(key="isLong", value=params.isLong)], [Bytes32KeyValue(key="key", value=key)], [], []))
    return key

@internal
def _cancel(key: bytes32, reason: String[128], reasonBytes: Bytes[256]):
    o: Order = self.orders[key]
    o.status = 3
    self.orders[key] = o
    if self._increase(o.orderType):
        extcall VaultI(self.vault).transferOut(o.collateralToken, o.receiver, o.collateral)
    extcall VaultI(self.vault).transferOut(self.wnt, o.account, o.executionFee)
    self._log2("OrderCancelled", key, convert(o.account, bytes32), self._data(
        [AddressKeyValue(key="account", value=o.account)], [], [], [Bytes32KeyValue(key="key", value=key)],
        [BytesKeyValue(key="reasonBytes", value=reasonBytes)], [StringKeyValue(key="reason", value=reason)]))

@external
@payable
def cancelOrder(key: bytes32):
    o: Order = self.orders[key]
    if o.status != 1:
        raw_revert(method_id("EmptyOrder()"))
    if o.account != msg.sender:
        what: String[32] = "account for cancelOrder"
        raw_revert(concat(method_id("Unauthorized(address,string)"), abi_encode(msg.sender, what)))
    if (o.orderType == 2 or o.orderType == 4) and block.timestamp < o.createdAt + 300:
        expiry: uint256 = 300
        kind: String[8] = "Order"
        raw_revert(concat(method_id("RequestNotYetCancellable(uint256,uint256,string)"), abi_encode(block.timestamp - o.createdAt, expiry, kind)))
    self._cancel(key, "USER_INITIATED_CANCEL", b"")

@external
def keeperExecute(key: bytes32, price: uint256):
    assert msg.sender == self.keeper, "keeper only"
    o: Order = self.orders[key]
    assert o.status == 1, "not open"
    inc: bool = self._increase(o.orderType)
    fine: bool = (o.isLong == inc and price <= o.acceptablePrice) or (o.isLong != inc and price >= o.acceptablePrice)
    if not fine:
        self._cancel(key, "OrderNotFulfillableAtAcceptablePrice", concat(method_id("OrderNotFulfillableAtAcceptablePrice(uint256,uint256)"),
                                                                         convert(price, bytes32), convert(o.acceptablePrice, bytes32)))
        return
    pk: bytes32 = keccak256(abi_encode(o.account, o.market, o.collateralToken, o.isLong))
    p: Position = self.positions[pk]
    tokens: uint256 = 0
    size: uint256 = o.sizeDeltaUsd
    if inc:
        tokens = o.sizeDeltaUsd // price
        p.sizeInUsd += o.sizeDeltaUsd
        p.sizeInTokens += tokens
        p.collateral += o.collateral
    else:
        size = min(o.sizeDeltaUsd, p.sizeInUsd)
        assert size > 0, "no position"
        tokens = p.sizeInTokens * size // p.sizeInUsd
        out: uint256 = p.collateral * size // p.sizeInUsd
        p.sizeInUsd -= size
        p.sizeInTokens -= tokens
        p.collateral -= out
        extcall VaultI(self.vault).transferOut(o.collateralToken, o.receiver, out)
    self.positions[pk] = p
    o.status = 2
    self.orders[key] = o
    name: String[64] = "PositionIncrease"
    if not inc:
        name = "PositionDecrease"
    self._log1(name, convert(o.account, bytes32), self._data(
        [AddressKeyValue(key="account", value=o.account), AddressKeyValue(key="market", value=o.market)],
        [UintKeyValue(key="executionPrice", value=price), UintKeyValue(key="sizeDeltaUsd", value=size), UintKeyValue(key="sizeDeltaInTokens", value=tokens),
         UintKeyValue(key="sizeInUsd", value=p.sizeInUsd), UintKeyValue(key="sizeInTokens", value=p.sizeInTokens)],
        [BoolKeyValue(key="isLong", value=o.isLong)], [Bytes32KeyValue(key="orderKey", value=key)], [], []))
    self._log2("OrderExecuted", key, convert(o.account, bytes32), self._data(
        [AddressKeyValue(key="account", value=o.account)], [], [], [Bytes32KeyValue(key="key", value=key)], [], []))

@external
def keeperCancel(key: bytes32, reason: String[128]):
    assert msg.sender == self.keeper, "keeper only"
    assert self.orders[key].status == 1, "not open"
    self._cancel(key, reason, b"")
"""


def deploy_gmx(node, deployer, keeper, trader_address, usdc_supply):
    """Compiles and deploys the double; returns the addresses."""
    from evm_node import compile_vyper
    from eth_abi import encode
    from eth_utils import keccak
    wnt = node.deploy(compile_vyper(WNT)[0], deployer)
    usdc = node.deploy(compile_vyper(USDC)[0], deployer, ["address", "uint256"], [trader_address, usdc_supply])
    router = node.deploy(compile_vyper(ROUTER)[0], deployer)
    vault = node.deploy(compile_vyper(VAULT)[0], deployer)
    ex = node.deploy(compile_vyper(EXCHANGE_ROUTER)[0], deployer, ["address", "address", "address", "address"], [wnt, router, vault, keeper.address])
    for c in (router, vault):
        r = node.transact(deployer, c, keccak(b"setController(address)")[:4] + encode(["address"], [ex]))
        assert r["status"] == "0x1"
    return {"wnt": wnt, "usdc": usdc, "router": router, "vault": vault, "exchange_router": ex}
