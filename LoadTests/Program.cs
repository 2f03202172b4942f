Console.Error.WriteLine("no scenarios yet");
return 1;
