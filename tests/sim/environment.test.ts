/**
 * The simulator's engine offers everything Moddable's XS offers (issue 16, item 2):
 * tools/xs-environment/probe.js lists every global, the own members of each
 * built-in constructor and prototype, and some intrinsics; run in the simulator,
 * its output must contain every name the same probe printed in Moddable's runtime.
 *
 * MODDABLE_LISTS is that probe's output, recorded from Moddable's runtime:
 * Moddable SDK 8.2.3, lin release build in mcsim, 2026-12-02 (tools/xs-environment.ts moddable --ts)
 * Regenerate it with `MODDABLE=… npx tsx tools/xs-environment.ts moddable --ts`.
 */
import test from "ava";
import { missingNames, parseEnvironment, probeSimulator, type Environment } from "../../tools/xs-environment";
import { runApp } from "../support/sim";

const MODDABLE_LISTS: Record<string, string> = {
  "globalThis": "AggregateError,Array,ArrayBuffer,Atomics,BigInt,BigInt64Array,BigUint64Array,Boolean,Compartment,DataView,Date,Error,EvalError,FinalizationRegistry,Float16Array,Float32Array,Float64Array,Function,Infinity,Int16Array,Int32Array,Int8Array,Iterator,JSON,Map,Math,ModuleSource,NaN,Native,Number,Object,Promise,Proxy,RangeError,ReferenceError,Reflect,RegExp,Set,SharedArrayBuffer,String,Symbol,SyntaxError,TypeError,TypedArray,URIError,Uint16Array,Uint32Array,Uint8Array,Uint8ClampedArray,WeakMap,WeakRef,WeakSet,decodeURI,decodeURIComponent,encodeURI,encodeURIComponent,escape,eval,global,globalThis,isFinite,isNaN,native,parseFloat,parseInt,screen,trace,undefined,unescape",
  "AggregateError": "length,name,prototype",
  "AggregateError.prototype": "constructor,message,name",
  "Array": "@@Symbol.species,from,fromAsync,isArray,length,name,of,prototype",
  "Array.prototype": "@@Symbol.iterator,@@Symbol.unscopables,at,concat,constructor,copyWithin,entries,every,fill,filter,find,findIndex,findLast,findLastIndex,flat,flatMap,forEach,includes,indexOf,join,keys,lastIndexOf,length,map,pop,push,reduce,reduceRight,reverse,shift,slice,some,sort,splice,toLocaleString,toReversed,toSorted,toSpliced,toString,unshift,values,with",
  "ArrayBuffer": "@@Symbol.species,fromBigInt,fromString,isView,length,name,prototype",
  "ArrayBuffer.prototype": "@@Symbol.toStringTag,byteLength,concat,constructor,detached,maxByteLength,resizable,resize,slice,transfer,transferToFixedLength",
  "Atomics": "@@Symbol.toStringTag,add,and,compareExchange,exchange,isLockFree,load,notify,or,store,sub,wait,waitAsync,wake,xor",
  "BigInt": "asIntN,asUintN,bitLength,fromArrayBuffer,length,name,prototype",
  "BigInt.prototype": "@@Symbol.toStringTag,constructor,toLocaleString,toString,valueOf",
  "BigInt64Array": "BYTES_PER_ELEMENT,length,name,prototype",
  "BigInt64Array.prototype": "BYTES_PER_ELEMENT,constructor",
  "BigUint64Array": "BYTES_PER_ELEMENT,length,name,prototype",
  "BigUint64Array.prototype": "BYTES_PER_ELEMENT,constructor",
  "Boolean": "length,name,prototype",
  "Boolean.prototype": "constructor,toString,valueOf",
  "Compartment": "length,name,prototype",
  "Compartment.prototype": "@@Symbol.toStringTag,constructor,evaluate,globalThis,import,importNow",
  "DataView": "length,name,prototype",
  "DataView.prototype": "@@Symbol.toStringTag,buffer,byteLength,byteOffset,constructor,getBigInt64,getBigUint64,getFloat16,getFloat32,getFloat64,getInt16,getInt32,getInt8,getUint16,getUint32,getUint8,setBigInt64,setBigUint64,setFloat16,setFloat32,setFloat64,setInt16,setInt32,setInt8,setUint16,setUint32,setUint8",
  "Date": "UTC,length,name,now,parse,prototype",
  "Date.prototype": "@@Symbol.toPrimitive,constructor,getDate,getDay,getFullYear,getHours,getMilliseconds,getMinutes,getMonth,getSeconds,getTime,getTimezoneOffset,getUTCDate,getUTCDay,getUTCFullYear,getUTCHours,getUTCMilliseconds,getUTCMinutes,getUTCMonth,getUTCSeconds,getYear,setDate,setFullYear,setHours,setMilliseconds,setMinutes,setMonth,setSeconds,setTime,setUTCDate,setUTCFullYear,setUTCHours,setUTCMilliseconds,setUTCMinutes,setUTCMonth,setUTCSeconds,setYear,toDateString,toGMTString,toISOString,toJSON,toLocaleDateString,toLocaleString,toLocaleTimeString,toString,toTimeString,toUTCString,valueOf",
  "Error": "isError,length,name,prototype",
  "Error.prototype": "constructor,message,name,stack,toString",
  "EvalError": "length,name,prototype",
  "EvalError.prototype": "constructor,message,name",
  "FinalizationRegistry": "length,name,prototype",
  "FinalizationRegistry.prototype": "@@Symbol.toStringTag,constructor,register,unregister",
  "Float16Array": "BYTES_PER_ELEMENT,length,name,prototype",
  "Float16Array.prototype": "BYTES_PER_ELEMENT,constructor",
  "Float32Array": "BYTES_PER_ELEMENT,length,name,prototype",
  "Float32Array.prototype": "BYTES_PER_ELEMENT,constructor",
  "Float64Array": "BYTES_PER_ELEMENT,length,name,prototype",
  "Float64Array.prototype": "BYTES_PER_ELEMENT,constructor",
  "Function": "length,name,prototype",
  "Int16Array": "BYTES_PER_ELEMENT,length,name,prototype",
  "Int16Array.prototype": "BYTES_PER_ELEMENT,constructor",
  "Int32Array": "BYTES_PER_ELEMENT,length,name,prototype",
  "Int32Array.prototype": "BYTES_PER_ELEMENT,constructor",
  "Int8Array": "BYTES_PER_ELEMENT,length,name,prototype",
  "Int8Array.prototype": "BYTES_PER_ELEMENT,constructor",
  "Iterator": "concat,from,length,name,prototype",
  "Iterator.prototype": "@@Symbol.iterator,@@Symbol.toStringTag,constructor,drop,every,filter,find,flatMap,forEach,map,reduce,some,take,toArray",
  "JSON": "@@Symbol.toStringTag,isRawJSON,parse,rawJSON,stringify",
  "Map": "@@Symbol.species,groupBy,length,name,prototype",
  "Map.prototype": "@@Symbol.iterator,@@Symbol.toStringTag,clear,constructor,delete,entries,forEach,get,getOrInsert,getOrInsertComputed,has,keys,set,size,values",
  "Math": "@@Symbol.toStringTag,E,LN10,LN2,LOG10E,LOG2E,PI,SQRT1_2,SQRT2,abs,acos,acosh,asin,asinh,atan,atan2,atanh,cbrt,ceil,clz32,cos,cosh,exp,expm1,f16round,floor,fround,hypot,idiv,idivmod,imod,imul,imuldiv,irandom,irem,log,log10,log1p,log2,max,min,mod,pow,random,round,sign,sin,sinh,sqrt,sumPrecise,tan,tanh,trunc",
  "ModuleSource": "length,name,prototype",
  "ModuleSource.prototype": "@@Symbol.toStringTag,bindings,constructor,needsImport,needsImportMeta,options",
  "Native": "length,name",
  "Number": "EPSILON,MAX_SAFE_INTEGER,MAX_VALUE,MIN_SAFE_INTEGER,MIN_VALUE,NEGATIVE_INFINITY,NaN,POSITIVE_INFINITY,isFinite,isInteger,isNaN,isSafeInteger,length,name,parseFloat,parseInt,prototype",
  "Number.prototype": "constructor,toExponential,toFixed,toLocaleString,toPrecision,toString,valueOf",
  "Object": "assign,create,defineProperties,defineProperty,entries,freeze,fromEntries,getOwnPropertyDescriptor,getOwnPropertyDescriptors,getOwnPropertyNames,getOwnPropertySymbols,getPrototypeOf,groupBy,hasOwn,is,isExtensible,isFrozen,isSealed,keys,length,name,preventExtensions,prototype,seal,setPrototypeOf,values",
  "Object.prototype": "__defineGetter__,__defineSetter__,__lookupGetter__,__lookupSetter__,__proto__,constructor,hasOwnProperty,isPrototypeOf,propertyIsEnumerable,toLocaleString,toString,valueOf",
  "Promise": "@@Symbol.species,all,allSettled,any,length,name,prototype,race,reject,resolve,try,withResolvers",
  "Promise.prototype": "@@Symbol.toStringTag,catch,constructor,finally,then",
  "Proxy": "length,name,revocable",
  "RangeError": "length,name,prototype",
  "RangeError.prototype": "constructor,message,name",
  "ReferenceError": "length,name,prototype",
  "ReferenceError.prototype": "constructor,message,name",
  "Reflect": "@@Symbol.toStringTag,apply,construct,defineProperty,deleteProperty,get,getOwnPropertyDescriptor,getPrototypeOf,has,isExtensible,ownKeys,preventExtensions,set,setPrototypeOf",
  "RegExp": "@@Symbol.species,escape,length,name,prototype",
  "RegExp.prototype": "@@Symbol.match,@@Symbol.matchAll,@@Symbol.replace,@@Symbol.search,@@Symbol.split,compile,constructor,dotAll,exec,flags,global,hasIndices,ignoreCase,multiline,source,sticky,test,toString,unicode,unicodeSets",
  "Set": "@@Symbol.species,length,name,prototype",
  "Set.prototype": "@@Symbol.iterator,@@Symbol.toStringTag,add,clear,constructor,delete,difference,entries,forEach,has,intersection,isDisjointFrom,isSubsetOf,isSupersetOf,keys,size,symmetricDifference,union,values",
  "SharedArrayBuffer": "@@Symbol.species,length,name,prototype",
  "SharedArrayBuffer.prototype": "@@Symbol.toStringTag,byteLength,constructor,grow,growable,maxByteLength,slice",
  "String": "fromArrayBuffer,fromCharCode,fromCodePoint,length,name,prototype,raw",
  "String.prototype": "@@Symbol.iterator,at,charAt,charCodeAt,codePointAt,compare,concat,constructor,endsWith,includes,indexOf,isWellFormed,lastIndexOf,length,localeCompare,match,matchAll,normalize,padEnd,padStart,repeat,replace,replaceAll,search,slice,split,startsWith,substr,substring,toLocaleLowerCase,toLocaleUpperCase,toLowerCase,toString,toUpperCase,toWellFormed,trim,trimEnd,trimLeft,trimRight,trimStart,valueOf",
  "Symbol": "asyncIterator,for,hasInstance,isConcatSpreadable,iterator,keyFor,length,match,matchAll,name,prototype,replace,search,species,split,toPrimitive,toStringTag,unscopables",
  "Symbol.prototype": "@@Symbol.toPrimitive,@@Symbol.toStringTag,constructor,description,toString,valueOf",
  "SyntaxError": "length,name,prototype",
  "SyntaxError.prototype": "constructor,message,name",
  "TypeError": "length,name,prototype",
  "TypeError.prototype": "constructor,message,name",
  "TypedArray": "@@Symbol.species,from,length,name,of,prototype",
  "TypedArray.prototype": "@@Symbol.iterator,@@Symbol.toStringTag,at,buffer,byteLength,byteOffset,constructor,copyWithin,entries,every,fill,filter,find,findIndex,findLast,findLastIndex,forEach,includes,indexOf,join,keys,lastIndexOf,length,map,reduce,reduceRight,reverse,set,slice,some,sort,subarray,toLocaleString,toReversed,toSorted,toString,values,with",
  "URIError": "length,name,prototype",
  "URIError.prototype": "constructor,message,name",
  "Uint16Array": "BYTES_PER_ELEMENT,length,name,prototype",
  "Uint16Array.prototype": "BYTES_PER_ELEMENT,constructor",
  "Uint32Array": "BYTES_PER_ELEMENT,length,name,prototype",
  "Uint32Array.prototype": "BYTES_PER_ELEMENT,constructor",
  "Uint8Array": "BYTES_PER_ELEMENT,fromBase64,fromHex,length,name,prototype",
  "Uint8Array.prototype": "BYTES_PER_ELEMENT,constructor,setFromBase64,setFromHex,toBase64,toHex",
  "Uint8ClampedArray": "BYTES_PER_ELEMENT,length,name,prototype",
  "Uint8ClampedArray.prototype": "BYTES_PER_ELEMENT,constructor",
  "WeakMap": "length,name,prototype",
  "WeakMap.prototype": "@@Symbol.toStringTag,constructor,delete,get,getOrInsert,getOrInsertComputed,has,set",
  "WeakRef": "length,name,prototype",
  "WeakRef.prototype": "@@Symbol.toStringTag,constructor,deref",
  "WeakSet": "length,name,prototype",
  "WeakSet.prototype": "@@Symbol.toStringTag,add,constructor,delete,has",
  "decodeURI": "length,name",
  "decodeURIComponent": "length,name",
  "encodeURI": "length,name",
  "encodeURIComponent": "length,name",
  "escape": "length,name",
  "eval": "length,name",
  "isFinite": "length,name",
  "isNaN": "length,name",
  "native": "length,name",
  "parseFloat": "length,name",
  "parseInt": "length,name",
  "screen": "adaptInvalid,animateColors,begin,clear,clut,continue,end,height,pixelFormat,pixelsToBytes,postMessage,readLED,rotation,send,start,stop,when,width,writeLED",
  "trace": "center,left,length,name,right",
  "unescape": "length,name",
  "%TypedArray%": "@@Symbol.species,from,length,name,of,prototype",
  "%TypedArray%.prototype": "@@Symbol.iterator,@@Symbol.toStringTag,at,buffer,byteLength,byteOffset,constructor,copyWithin,entries,every,fill,filter,find,findIndex,findLast,findLastIndex,forEach,includes,indexOf,join,keys,lastIndexOf,length,map,reduce,reduceRight,reverse,set,slice,some,sort,subarray,toLocaleString,toReversed,toSorted,toString,values,with",
  "%IteratorPrototype%": "@@Symbol.iterator,@@Symbol.toStringTag,constructor,drop,every,filter,find,flatMap,forEach,map,reduce,some,take,toArray",
  "%ArrayIteratorPrototype%": "@@Symbol.toStringTag,next",
  "%StringIteratorPrototype%": "@@Symbol.toStringTag,next",
  "%MapIteratorPrototype%": "@@Symbol.toStringTag,next",
  "%SetIteratorPrototype%": "@@Symbol.toStringTag,next",
  "%RegExpStringIteratorPrototype%": "@@Symbol.toStringTag,next",
  "%GeneratorPrototype%": "@@Symbol.toStringTag,constructor,next,return,throw",
  "%AsyncGeneratorPrototype%": "@@Symbol.toStringTag,constructor,next,return,throw",
  "%AsyncIteratorPrototype%": "@@Symbol.asyncIterator",
  "%AsyncFunction.prototype%": "@@Symbol.toStringTag,constructor",
};

/**
 * What the simulator does not provide, and why (docs/compatibility.md §5).
 * Each must still be missing: when one is added, take it off this list.
 */
const NOT_PROVIDED: Record<string, string> = {
  "globalThis.screen": "mcsim's display simulator; an ESP32 without a display has no screen global",
  "screen (the object itself)": "as above",
  "globalThis.Native": "binds a class to C host functions linked into the firmware; the simulator runs no native code",
  "Native (the object itself)": "as above",
  "globalThis.native": "binds a C host function; as above",
  "native (the object itself)": "as above",
  "globalThis.Float16Array": "a typed array kind needs engine support (Math.f16round and DataView get/setFloat16 are provided)",
  "Float16Array (the object itself)": "as above",
  "Float16Array.prototype (the object itself)": "as above",
  "RegExp.prototype.unicodeSets": "the v flag is RegExp syntax of the engine itself; xsnap's XS 13 cannot compile it",
  "ModuleSource.prototype.options": "XS's internal module options; nothing an app uses",
};

const moddable: Environment = new Map(Object.entries(MODDABLE_LISTS).map(([label, names]) => [label, new Set(names === "" ? [] : names.split(","))]));

test("the simulator has every global, constructor member and prototype member Moddable's XS has, but for the documented few", async (t) => {
  const simulator = parseEnvironment(await probeSimulator());
  const missing = missingNames(moddable, simulator);
  t.deepEqual(
    missing.filter((name) => !(name in NOT_PROVIDED)),
    [],
    "names Moddable's runtime has and the simulator lacks",
  );
  t.deepEqual(
    Object.keys(NOT_PROVIDED).filter((name) => !missing.includes(name)),
    [],
    "names listed as not provided that the simulator now has (take them off NOT_PROVIDED)",
  );
});

test("the additions behave as Moddable's XS does: every check of tests/sim/apps/moddable-globals.js passes inside XS", async (t) => {
  const run = await runApp("tests/sim/apps/moddable-globals.js");
  try {
    const done = await run.waitFor(/^checks done \d+$/);
    const total = Number(done.split(" ")[2]);
    t.deepEqual(run.traces.filter((line) => !line.startsWith("PASS ") && line !== done), []);
    t.is(run.traces.filter((line) => line.startsWith("PASS ")).length, total);
    t.true(total >= 100, `only ${total} checks ran`);
  } finally {
    await run.sim.stop();
  }
});
