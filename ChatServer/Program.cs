Console.Error.WriteLine("the chat server is not wired yet");
return 1;
